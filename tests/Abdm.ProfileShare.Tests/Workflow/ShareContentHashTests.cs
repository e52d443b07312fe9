using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow.Internal;

namespace Abdm.ProfileShare.Tests.Workflow;

public sealed class ShareContentHashTests
{
    private static readonly SharedPatientProfile Profile = new()
    {
        HealthId = "test@sbx",
        AbhaNumber = "91-0000-0000-0001",
        Name = "Jane Doe",
        Gender = Gender.Female,
        YearOfBirth = 2000,
        MonthOfBirth = 2,
        DayOfBirth = 27,
        Address = new PatientAddress("1 Test Street", "Test District", "Test State", "000001"),
        Mobile = "+91-9000000001",
        Identifiers = [new ProfileIdentifier("MOBILE", "+91-9000000001"), new ProfileIdentifier("MR", null)],
    };

    [Fact]
    public void Compute_IsStableAcrossVersions_AStoredHashStillMatchesItsRedelivery()
    {
        // The value the first implementation computed (a stored share's hash is compared with its redelivery's after
        // an upgrade): any change of the canonical form must be a new format tag, never a silent change.
        Assert.Equal("c9220ad97447a409f4d3ee405f1040c02e70a505a25cea8784464730fc082059", ShareContentHash.Compute("HIP-1", "OPD1", Profile));
        Assert.Equal(
            ["8c86c3db", "c9220ad9", "4468c7ea", "ec841d06", "c96b88f4", "906f469b"],
            Enum.GetValues<Gender>().Select(g => ShareContentHash.Compute("HIP-1", "OPD1", Profile with { Gender = g })[..8]));
    }

    [Fact]
    public void Compute_SameShare_SameLowerHexSha256()
    {
        var hash = ShareContentHash.Compute("HIP-1", "OPD1", Profile);

        Assert.Equal(hash, ShareContentHash.Compute("HIP-1", "OPD1", Profile with { Identifiers = [.. Profile.Identifiers] }));
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    public static TheoryData<string, string, SharedPatientProfile> Changes() => new()
    {
        { "HIP-2", "OPD1", Profile },
        { "HIP-1", "OPD2", Profile },
        { "HIP-1", "OPD1", Profile with { HealthId = "TEST@sbx" } },
        { "HIP-1", "OPD1", Profile with { AbhaNumber = null } },
        { "HIP-1", "OPD1", Profile with { Name = "Jane  Doe" } },
        { "HIP-1", "OPD1", Profile with { Gender = Gender.Other } },
        { "HIP-1", "OPD1", Profile with { YearOfBirth = 2001 } },
        { "HIP-1", "OPD1", Profile with { MonthOfBirth = null } },
        { "HIP-1", "OPD1", Profile with { DayOfBirth = 26 } },
        { "HIP-1", "OPD1", Profile with { Address = null } },
        { "HIP-1", "OPD1", Profile with { Address = new PatientAddress(null, "Test District", "Test State", "000001") } },
        { "HIP-1", "OPD1", Profile with { Address = new PatientAddress("1 Test Street", "Test District", "Test State", null) } },
        { "HIP-1", "OPD1", Profile with { Mobile = null } },
        { "HIP-1", "OPD1", Profile with { Identifiers = [] } },
        { "HIP-1", "OPD1", Profile with { Identifiers = [new ProfileIdentifier("MOBILE", "+91-9000000001"), new ProfileIdentifier("MR", "")] } },
        { "HIP-1", "OPD1", Profile with { Identifiers = [.. Profile.Identifiers.Reverse()] } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Compute_AnyFieldChanged_DifferentHash(string hipId, string counter, SharedPatientProfile profile) =>
        Assert.NotEqual(ShareContentHash.Compute("HIP-1", "OPD1", Profile), ShareContentHash.Compute(hipId, counter, profile));

    [Fact]
    public void Compute_FieldBoundariesShifted_DifferentHash() =>
        Assert.NotEqual(ShareContentHash.Compute("HIP-1", "OPD1", Profile with { Name = "Jane", Mobile = "Doe" }),
            ShareContentHash.Compute("HIP-1", "OPD1", Profile with { Name = "JaneDoe", Mobile = "" }));
}
