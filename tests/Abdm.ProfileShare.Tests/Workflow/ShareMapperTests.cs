using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.V3;
using Abdm.ProfileShare.Workflow.Internal;

namespace Abdm.ProfileShare.Tests.Workflow;

public sealed class ShareMapperTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);

    [Theory]
    [InlineData("k\u0131ran@sbx")]
    [InlineData("\u017Fam@sbx")]
    [InlineData("kiran")]
    [InlineData("kiran@sbx@abdm")]
    [InlineData("kiran@")]
    [InlineData("ki ran@sbx")]
    [InlineData("kiran@sbx\u202E")]
    public void Validate_MalformedHealthId_RefusedNamingFieldAndRule(string healthId)
    {
        var error = ShareMapper.Validate(Guid.NewGuid(), V05Profile(healthId));

        Assert.NotNull(error);
        Assert.StartsWith("profile.patient.healthId must be a PHR address name@suffix", error, StringComparison.Ordinal);
        Assert.Contains("ASCII letters, digits, '.', '_' or '-'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("test@sbx")]
    [InlineData("patient-1@sbx")]
    [InlineData("  Asha.Test_1@abdm ")]
    public void Validate_WellFormedHealthId_Accepted(string healthId) =>
        Assert.Null(ShareMapper.Validate(Guid.NewGuid(), V05Profile(healthId)));

    [Theory]
    [InlineData("k\u0131ran@sbx")]
    [InlineData("kiran.sbx")]
    [InlineData("@sbx")]
    public void ValidateV3_MalformedAbhaAddress_RefusedWithAbdm1006NamingField(string abhaAddress)
    {
        var (error, code) = Validate(V3Share(abhaAddress));

        Assert.Equal("ABDM-1006", code);
        Assert.StartsWith("profile.patient.abhaAddress must be an ABHA address name@suffix", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateV3_WellFormedAbhaAddress_Accepted() =>
        Assert.Equal((null, null), Validate(V3Share("test.v3@sbx")));

    [Fact]
    public void ToProfile_V05BidiControlsAndDecomposedText_StoredCleanAndComposed()
    {
        var patient = V05Profile("test@sbx").Patient with
        {
            Name = "Re\u0301na \u202ErenoT\u202C\u200B",
            Address = new Abdm.ProfileShare.Wire.PatientAddress { Line = "1\u0000 Main\u2066 Road", District = "Distri\u0301ct\u0085", State = "\u200EState", Pincode = "6410\u200B50" },
        };

        var profile = ShareMapper.ToProfile(patient);

        Assert.Equal("R\u00E9na renoT", profile.Name);
        Assert.Equal(new Abdm.ProfileShare.Model.PatientAddress("1 Main Road", "Distr\u00EDct", "State", "641050"), profile.Address);
    }

    [Fact]
    public void ToProfile_V3BidiControlsAndDecomposedText_StoredCleanAndComposed()
    {
        var patient = V3Share("test.v3@sbx").Profile!.Patient with
        {
            Name = "Jane\u2067 Do\u0301e\u2069",
            Address = new PatientAddressV3 { Line = null, District = "\u202BDistrict", State = "Sta\u0301te\u001F", Pincode = "641050" },
        };

        var profile = ShareMapper.ToProfile(patient);

        Assert.Equal("Jane D\u00F3e", profile.Name);
        Assert.Equal(new Abdm.ProfileShare.Model.PatientAddress(null, "District", "St\u00E1te", "641050"), profile.Address);
    }

    [Theory]
    [InlineData("\u202E\u202C")]
    [InlineData("\u200B")]
    [InlineData(" \u2066 \u2069 ")]
    public void ToProfile_NameOfOnlyRemovedCharacters_TreatedAsMissingName(string name)
    {
        var profile = ShareMapper.ToProfile(V05Profile("test@sbx").Patient with { Name = name });

        Assert.True(string.IsNullOrWhiteSpace(profile.Name));
        Assert.Equal(ProfileRules.WhyUnusable(profile with { Name = "" }, Today), ProfileRules.WhyUnusable(profile, Today));
        Assert.Contains("no name", ProfileRules.WhyUnusable(profile, Today), StringComparison.Ordinal);
    }

    private static SharedProfile V05Profile(string healthId) => new()
    {
        HipCode = "OPD1",
        Patient = new ProfilePatient
        {
            HealthId = healthId,
            Name = "Jane Doe",
            Gender = PatientGender.F,
            YearOfBirth = 2000,
        },
    };

    private static (string? Error, string? Code) Validate(ShareProfileV3Request share)
    {
        var (error, code, _) = ShareMapper.ValidateV3(Guid.NewGuid(), "HIP-TEST-1", share, intentsHandled: false);
        return (error, code);
    }

    private static ShareProfileV3Request V3Share(string abhaAddress) => new()
    {
        Intent = "PROFILE_SHARE",
        MetaData = new ShareMetaDataV3 { HipId = "HIP-TEST-1", Context = "OPD1" },
        Profile = new SharedProfileV3
        {
            Patient = new SharedPatientV3 { AbhaAddress = abhaAddress, Name = "Jane Doe", Gender = "F", YearOfBirth = "2000" },
        },
    };
}
