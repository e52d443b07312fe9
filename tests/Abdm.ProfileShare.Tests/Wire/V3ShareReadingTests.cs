using System.Text.Json;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire.V3;
using Abdm.ProfileShare.Workflow.Internal;

namespace Abdm.ProfileShare.Tests.Wire;

/// <summary>
/// Reading a v3 share (<c>POST /api/v3/hip/patient/share</c>) with <see cref="AbdmV3JsonContext"/> as the real sandbox
/// sends it (CONTRACT-v3 section 1: strings and nulls where NHA's document says numbers or required), mapping it to
/// the version-independent profile, and what <see cref="ShareMapper.ValidateV3"/> refuses.
/// </summary>
public sealed class V3ShareReadingTests
{
    private static readonly Guid RequestId = Guid.Parse("18235d89-cb13-479d-ad71-7a57d5f669a8");

    /// <summary>The shape LEARN section 5.2 observed, with synthetic values.</summary>
    private const string SandboxShare = """
        {"intent":"PROFILE_SHARE",
         "metaData":{"hipId":"TEST-HIP-0001","context":"OPD1","hprId":null,"latitude":"12.97","longitude":"77.71"},
         "profile":{"patient":{"abhaNumber":null,"abhaAddress":"test.v3@sbx","name":"Jane Doe","gender":"F",
           "dayOfBirth":"6","monthOfBirth":"6","yearOfBirth":"2000",
           "address":{"line":null,"district":"Test District","state":"Test State","pincode":"641050"},"phoneNumber":null}}}
        """;

    [Fact]
    public void ShareProfileV3Request_SandboxStringsAndNulls_ReadsEveryField()
    {
        var share = Read(SandboxShare);

        Assert.Equal("PROFILE_SHARE", share.Intent);
        Assert.Equal("TEST-HIP-0001", share.MetaData.HipId);
        Assert.Equal("OPD1", share.MetaData.Context);
        Assert.Null(share.MetaData.HprId);
        Assert.Equal(12.97, share.MetaData.Latitude);
        Assert.Equal(77.71, share.MetaData.Longitude);
        var patient = share.Profile!.Patient;
        Assert.Null(patient.AbhaNumber);
        Assert.Equal("test.v3@sbx", patient.AbhaAddress);
        Assert.Equal("Jane Doe", patient.Name);
        Assert.Equal("F", patient.Gender);
        Assert.Equal("6", patient.DayOfBirth);
        Assert.Equal("6", patient.MonthOfBirth);
        Assert.Equal("2000", patient.YearOfBirth);
        Assert.Null(patient.Address!.Line);
        Assert.Equal("Test District", patient.Address.District);
        Assert.Equal("641050", patient.Address.Pincode);
        Assert.Null(patient.PhoneNumber);
        Assert.Equal((null, null), Validate(RequestId, share));
    }

    [Fact]
    public void ToProfile_SandboxShare_MapsToTheSharedProfile()
    {
        var profile = ShareMapper.ToProfile(Read(SandboxShare).Profile!.Patient);

        Assert.Equal("test.v3@sbx", profile.HealthId);
        Assert.Null(profile.AbhaNumber);
        Assert.Equal("Jane Doe", profile.Name);
        Assert.Equal(Gender.Female, profile.Gender);
        Assert.Equal(2000, profile.YearOfBirth);
        Assert.Equal(6, profile.MonthOfBirth);
        Assert.Equal(6, profile.DayOfBirth);
        Assert.Equal(new PatientAddress(null, "Test District", "Test State", "641050"), profile.Address);
        Assert.Null(profile.Mobile);
        Assert.Empty(profile.Identifiers);
        Assert.Equal("sbx", profile.ConsentManagerId);
        Assert.Null(ProfileRules.WhyUnusable(profile, new DateOnly(2026, 11, 28)));
    }

    [Fact]
    public void ToProfile_NumbersWhereStringsAreExpected_ReadsThemAsText()
    {
        var share = Read("""
            {"intent":"PROFILE_SHARE",
             "metaData":{"hipId":"TEST-HIP-0001","context":12,"hprId":"test.doctor@hpr.abdm","latitude":20.5937,"longitude":78.9629},
             "profile":{"patient":{"abhaNumber":"91-1111-1111-1111","abhaAddress":"test.v3@sbx","name":"Jane Doe","gender":"T",
               "dayOfBirth":27,"monthOfBirth":2,"yearOfBirth":2000,
               "address":{"line":"1 Test Street","district":null,"state":"Test State","pincode":641050},"phoneNumber":"+91-9000000001"}}}
            """);

        Assert.Equal("12", share.MetaData.Context);
        Assert.Equal(20.5937, share.MetaData.Latitude);
        Assert.Equal("test.doctor@hpr.abdm", share.MetaData.HprId);
        var profile = ShareMapper.ToProfile(share.Profile!.Patient);
        Assert.Equal("91-1111-1111-1111", profile.AbhaNumber);
        Assert.Equal(Gender.Transgender, profile.Gender);
        Assert.Equal(2000, profile.YearOfBirth);
        Assert.Equal(2, profile.MonthOfBirth);
        Assert.Equal(27, profile.DayOfBirth);
        Assert.Equal(new PatientAddress("1 Test Street", null, "Test State", "641050"), profile.Address);
        Assert.Equal("+91-9000000001", profile.Mobile);
        Assert.Equal([new ProfileIdentifier("MOBILE", "+91-9000000001")], profile.Identifiers);
    }

    [Theory]
    [InlineData("\"\"", null)]
    [InlineData("null", null)]
    [InlineData("\" 12.5 \"", 12.5)]
    [InlineData("-12", -12.0)]
    public void ShareProfileV3Request_LatitudeForms_ReadAsANumberOrNothing(string latitude, double? expected)
    {
        var share = Read(SandboxShare.Replace("\"latitude\":\"12.97\"", "\"latitude\":" + latitude, StringComparison.Ordinal));

        Assert.Equal(expected, share.MetaData.Latitude);
    }

    [Theory]
    [InlineData("\"north\"")]
    [InlineData("true")]
    [InlineData("{}")]
    public void ShareProfileV3Request_LatitudeNotANumber_IsRefused(string latitude) =>
        Assert.Throws<JsonException>(() => Read(SandboxShare.Replace("\"latitude\":\"12.97\"", "\"latitude\":" + latitude, StringComparison.Ordinal)));

    [Fact]
    public void ToProfile_BirthPartNotANumber_IsZeroWhichTheProfileRulesRefuse()
    {
        var share = Read(SandboxShare.Replace("\"monthOfBirth\":\"6\"", "\"monthOfBirth\":\"June\"", StringComparison.Ordinal));

        var profile = ShareMapper.ToProfile(share.Profile!.Patient);

        Assert.Equal(0, profile.MonthOfBirth);
        Assert.NotNull(ProfileRules.WhyUnusable(profile, new DateOnly(2026, 11, 28)));
    }

    [Theory]
    [InlineData("RECORD_SHARE")]
    [InlineData("PAYMENT_SHARE")]
    [InlineData("record_share")]
    public void ValidateV3_RecordOrPaymentShareWithoutAHandler_IsRefusedWithAbdm1149(string intent)
    {
        var (error, code) = Validate(RequestId, Read(SandboxShare.Replace("\"PROFILE_SHARE\"", $"\"{intent}\"", StringComparison.Ordinal)));

        Assert.Equal("ABDM-1149", code);
        Assert.Contains("intent", error, StringComparison.Ordinal);
        Assert.Contains("PROFILE_SHARE", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SOMETHING_ELSE")]
    [InlineData("PROFILE")]
    [InlineData("PROFILE_SHARE_V2")]
    public void ValidateV3_UnknownIntent_IsRefusedWithAbdm1049(string intent)
    {
        var share = Read(SandboxShare.Replace("\"PROFILE_SHARE\"", $"\"{intent}\"", StringComparison.Ordinal));

        Assert.Equal("ABDM-1049", Validate(RequestId, share).Code);
        Assert.Equal("ABDM-1049", ShareMapper.ValidateV3(RequestId, "TEST-HIP-0001", share, intentsHandled: true).Code);
        Assert.Equal("intent is not one of PROFILE_SHARE, RECORD_SHARE, PAYMENT_SHARE.", Validate(RequestId, share).Error);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    public void ValidateV3_EmptyContext_NamesMetaDataContext(string context)
    {
        var (error, code) = Validate(RequestId, Read(SandboxShare.Replace("\"context\":\"OPD1\"", "\"context\":" + context, StringComparison.Ordinal)));

        Assert.Contains("metaData.context", error, StringComparison.Ordinal);
        Assert.Equal("ABDM-1050", code);
    }

    [Fact]
    public void ShareProfileV3Request_NoContext_IsRefusedNamingContext()
    {
        var error = Assert.Throws<JsonException>(() => Read(SandboxShare.Replace("\"context\":\"OPD1\",", "", StringComparison.Ordinal)));

        Assert.Contains("context", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateV3_ContextLongerThan250_NamesMetaDataContext()
    {
        var share = Read(SandboxShare.Replace("\"context\":\"OPD1\"", $"\"context\":\"{new string('A', 251)}\"", StringComparison.Ordinal));

        Assert.Contains("metaData.context", Validate(RequestId, share).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X")]
    [InlineData("MALE")]
    [InlineData("")]
    public void ValidateV3_BadGender_NamesTheGender(string gender)
    {
        var (error, code) = Validate(RequestId, Read(SandboxShare.Replace("\"gender\":\"F\"", $"\"gender\":\"{gender}\"", StringComparison.Ordinal)));

        Assert.Contains("profile.patient.gender", error, StringComparison.Ordinal);
        Assert.Equal("ABDM-1006", code);
    }

    [Theory]
    [InlineData("M", Gender.Male)]
    [InlineData("f", Gender.Female)]
    [InlineData("O", Gender.Other)]
    [InlineData("D", Gender.Undisclosed)]
    [InlineData("T", Gender.Transgender)]
    [InlineData("U", Gender.Unknown)]
    public void ToProfile_EveryV3Gender_MapsAndValidates(string letter, Gender expected)
    {
        var share = Read(SandboxShare.Replace("\"gender\":\"F\"", $"\"gender\":\"{letter}\"", StringComparison.Ordinal));

        Assert.Equal((null, null), Validate(RequestId, share));
        Assert.Equal(expected, ShareMapper.ToProfile(share.Profile!.Patient).Gender);
    }

    [Fact]
    public void ValidateV3_NoProfile_IsRefusedWithAbdm1102()
    {
        var node = JsonNode.Parse(SandboxShare)!.AsObject();
        node.Remove("profile");

        var (error, code) = Validate(RequestId, Read(node.ToJsonString()));

        Assert.Equal("ABDM-1102", code);
        Assert.Contains("profile.patient", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateV3_EmptyRequestId_NamesRequestIdHeader()
    {
        var (error, _) = Validate(Guid.Empty, Read(SandboxShare));

        Assert.Contains("REQUEST-ID", error, StringComparison.Ordinal);
    }

    /// <summary>ValidateV3 for the HIP the sandbox share names, with no intent handler registered.</summary>
    private static (string? Error, string? Code) Validate(Guid requestId, ShareProfileV3Request share)
    {
        var (error, code, _) = ShareMapper.ValidateV3(requestId, "TEST-HIP-0001", share, intentsHandled: false);
        return (error, code);
    }

    private static ShareProfileV3Request Read(string json) =>
        JsonSerializer.Deserialize(json, AbdmV3JsonContext.Default.ShareProfileV3Request) ?? throw new InvalidOperationException("JSON null.");
}
