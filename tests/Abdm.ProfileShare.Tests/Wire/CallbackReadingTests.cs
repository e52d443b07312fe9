using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Tests.TestSupport;
using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Tests.Wire;

/// <summary>
/// Reading what the gateway sends with <see cref="AbdmJsonContext"/>: the seed's callback examples, the variants real
/// traffic carries (zone-less microsecond timestamps, nulls, unknown fields), and what must be refused.
/// </summary>
public sealed class CallbackReadingTests
{
    [Fact]
    public void ShareProfileRequest_SeedExample_ReadsEveryField()
    {
        var share = Read(Fixtures.Text("Wire/share-v05.json"), AbdmJsonContext.Default.ShareProfileRequest);

        Assert.Equal(Guid.Parse("499a5a4a-7dda-4f20-9b67-e24589627061"), share.RequestId);
        Assert.Equal(new DateTimeOffset(2022, 5, 10, 14, 19, 12, 993, TimeSpan.Zero), share.Timestamp);
        Assert.Equal("12345 (CounterId)", share.Profile.HipCode);
        var patient = share.Profile.Patient;
        Assert.Equal("test@sbx", patient.HealthId);
        Assert.Equal("1111-1111-1111-11", patient.HealthIdNumber);
        Assert.Equal("Jane Doe", patient.Name);
        Assert.Equal(PatientGender.F, patient.Gender);
        Assert.Equal(2000, patient.YearOfBirth);
        Assert.Equal(2, patient.MonthOfBirth);
        Assert.Equal(27, patient.DayOfBirth);
        Assert.Equal("string", patient.Address?.Line);
        Assert.Equal("string", patient.Address?.Pincode);
        var identifier = Assert.Single(patient.Identifiers!);
        Assert.Equal("MR", identifier.Type);
        Assert.Equal("MR-TEST-0001", identifier.Value);
        Assert.Empty(share.AdditionalProperties);
    }

    [Fact]
    public void ShareProfileRequestV1_RealTraffic_ReadsNullsUnknownFieldsAndZonelessTimestamp()
    {
        var share = Read(Fixtures.Text("Wire/share-v10-real-traffic.json"), AbdmJsonContext.Default.ShareProfileRequestV1);

        Assert.Equal(new DateTimeOffset(2023, 7, 21, 10, 15, 30, TimeSpan.Zero).AddTicks(1_234_560), share.Timestamp);
        Assert.Equal(TimeSpan.Zero, share.Timestamp.Offset);
        Assert.Equal("PROFILE_SHARE", share.Intent?.Type);
        Assert.Equal("0.0", share.Location?.Latitude);
        var patient = share.Profile.Patient;
        Assert.Null(patient.HealthIdNumber);
        Assert.Null(patient.Address?.Pincode);
        Assert.Null(patient.Address?.Line);
        Assert.Equal("TEST DISTRICT", patient.Address?.District);
        Assert.Null(patient.DayOfBirth);
        Assert.Null(patient.MonthOfBirth);
        Assert.Equal(PatientGender.M, patient.Gender);
        Assert.Equal(2, patient.Identifiers!.Count);
        Assert.Null(patient.Identifiers[0].Value);
        Assert.Equal("+91-9000000001", patient.Identifiers.Single(i => i.Type == "MOBILE").Value);

        Assert.True(share.AdditionalProperties.ContainsKey("traceId"));
        Assert.True(share.Profile.AdditionalProperties.ContainsKey("source"));
        var verified = Assert.IsType<JsonElement>(patient.AdditionalProperties["verifiedIdentifiers"]);
        Assert.Equal(JsonValueKind.Array, verified.ValueKind);
    }

    [Fact]
    public void ShareProfileRequest_V10BodyOnTheV05Route_KeepsIntentAndLocationAsUnknownFields()
    {
        var share = Read(Fixtures.Text("Wire/share-v10-real-traffic.json"), AbdmJsonContext.Default.ShareProfileRequest);

        Assert.Equal("test.user@sbx", share.Profile.Patient.HealthId);
        Assert.True(share.AdditionalProperties.ContainsKey("intent"));
        Assert.True(share.AdditionalProperties.ContainsKey("location"));
    }

    [Fact]
    public void PatientAuthInitResponse_SeedOnInit_ReadsTransactionAndMicrosecondTimestampsAsUtc()
    {
        var onInit = Read(Fixtures.Text("Wire/on-init.json"), AbdmJsonContext.Default.PatientAuthInitResponse);

        Assert.Equal(Guid.Parse("62f31135-7e5b-4714-9a81-4fdcfced2651"), onInit.RequestId);
        Assert.Equal(new DateTimeOffset(2022, 5, 15, 15, 16, 48, TimeSpan.Zero).AddTicks(2_772_640), onInit.Timestamp);
        Assert.Equal("ee1d6495-96a3-4fb6-a0fc-f5b33e3e0434", onInit.Auth?.TransactionId);
        Assert.Equal(AuthenticationMode.DEMOGRAPHICS, onInit.Auth?.Mode);
        Assert.Null(onInit.Auth?.Meta?.Hint);
        Assert.Equal("2022-05-15T17:16:48.277271", onInit.Auth?.Meta?.Expiry);
        Assert.Null(onInit.Error);
        Assert.Equal(Guid.Parse("28ac1de6-a2ce-4b8e-8afe-a97f7bb52b85"), onInit.Resp.RequestId);
    }

    [Fact]
    public void PatientAuthConfirmResponse_SeedSuccess_ReadsTheLinkingToken()
    {
        var onConfirm = Read(Fixtures.Text("Wire/on-confirm-success.json"), AbdmJsonContext.Default.PatientAuthConfirmResponse);

        Assert.Equal(Guid.Parse("9ccbe503-f87a-4f9b-8a0e-d8691d1c9bc3"), onConfirm.RequestId);
        Assert.StartsWith("eyJhbGciOiJub25lIn0.", onConfirm.Auth?.AccessToken, StringComparison.Ordinal);
        Assert.Null(onConfirm.Auth?.Patient);
        Assert.Null(onConfirm.Error);
        Assert.Equal(Guid.Parse("b40fb334-6e22-4bee-8269-bc11b2453d7a"), onConfirm.Resp.RequestId);
        Assert.Equal(new DateTimeOffset(2022, 5, 16, 12, 39, 48, TimeSpan.Zero).AddTicks(9_069_880), onConfirm.Timestamp);
    }

    [Fact]
    public void PatientAuthConfirmResponse_Seed1441_ReadsTheErrorWithoutAuth()
    {
        var onConfirm = Read(Fixtures.Text("Wire/on-confirm-1441.json"), AbdmJsonContext.Default.PatientAuthConfirmResponse);

        Assert.Null(onConfirm.Auth);
        Assert.Equal(1441, onConfirm.Error?.Code);
        Assert.Equal("Invalid auth confirm request.", onConfirm.Error?.Message);
        Assert.Equal(Guid.Parse("22c16352-e66b-4cb0-8330-08234957ac55"), onConfirm.Resp.RequestId);
    }

    [Theory]
    [InlineData("profile.patient.healthIdNumber")]
    [InlineData("profile.patient.address")]
    [InlineData("profile.patient.address.pincode")]
    [InlineData("profile.patient.address.line")]
    [InlineData("profile.patient.identifiers")]
    [InlineData("profile.patient.identifiers.0.value")]
    [InlineData("profile.patient.dayOfBirth")]
    [InlineData("profile.patient.monthOfBirth")]
    [InlineData("profile.hipCode")]
    public void ShareProfileRequest_NullWhereRealTrafficSendsNull_IsRead(string path)
    {
        var json = Fixtures.With("Wire/share-v05.json", root => SetNull(root, path));

        var share = Read(json, AbdmJsonContext.Default.ShareProfileRequest);

        Assert.Equal("test@sbx", share.Profile.Patient.HealthId);
    }

    [Theory]
    [InlineData("error")]
    [InlineData("auth")]
    [InlineData("auth.meta")]
    [InlineData("auth.meta.hint")]
    [InlineData("auth.meta.expiry")]
    [InlineData("auth.mode")]
    public void PatientAuthInitResponse_NullWhereRealTrafficSendsNull_IsRead(string path)
    {
        var json = Fixtures.With("Wire/on-init.json", root => SetNull(root, path));

        var onInit = Read(json, AbdmJsonContext.Default.PatientAuthInitResponse);

        Assert.Equal(Guid.Parse("28ac1de6-a2ce-4b8e-8afe-a97f7bb52b85"), onInit.Resp.RequestId);
    }

    [Theory]
    [InlineData("auth.patient")]
    [InlineData("auth.accessToken")]
    [InlineData("auth")]
    [InlineData("error")]
    public void PatientAuthConfirmResponse_NullWhereRealTrafficSendsNull_IsRead(string path)
    {
        var json = Fixtures.With("Wire/on-confirm-success.json", root => SetNull(root, path));

        var onConfirm = Read(json, AbdmJsonContext.Default.PatientAuthConfirmResponse);

        Assert.Equal(Guid.Parse("b40fb334-6e22-4bee-8269-bc11b2453d7a"), onConfirm.Resp.RequestId);
    }

    [Fact]
    public void PatientAuthConfirmResponse_KycPatientAndUnknownFields_AreRead()
    {
        var json = Fixtures.With("Wire/on-confirm-success.json", root =>
        {
            root["auth"]!["patient"] = JsonNode.Parse("""
                {"id":"test@sbx","name":"Jane Doe","gender":"F","yearOfBirth":2000,"monthOfBirth":null,"dayOfBirth":null,
                 "address":null,"identifiers":[{"type":"MOBILE","value":"+91-9000000001"}],"kycVerified":true}
                """);
            root["auth"]!["validity"] = JsonNode.Parse("""{"purpose":"LINK","requester":{"type":"HIP","id":"TEST-HIP-0001"},"expiry":"2022-05-17T12:39:48.906988","limit":1}""");
            root["extra"] = "value";
        });

        var onConfirm = Read(json, AbdmJsonContext.Default.PatientAuthConfirmResponse);

        Assert.Equal(PatientGender.F, onConfirm.Auth?.Patient?.Gender);
        Assert.Equal(1, onConfirm.Auth?.Validity?.Limit);
        Assert.True(onConfirm.Auth!.Patient!.AdditionalProperties.ContainsKey("kycVerified"));
        Assert.True(onConfirm.AdditionalProperties.ContainsKey("extra"));
    }

    [Theory]
    [InlineData("profile.patient.name")]
    [InlineData("profile.patient.healthId")]
    [InlineData("profile.patient.gender")]
    [InlineData("profile.patient.yearOfBirth")]
    [InlineData("profile.patient")]
    [InlineData("profile")]
    [InlineData("requestId")]
    [InlineData("timestamp")]
    [InlineData("profile.patient.identifiers.0.type")]
    public void ShareProfileRequest_MissingRequiredField_ThrowsJsonException(string path)
    {
        var json = Fixtures.With("Wire/share-v05.json", root => Remove(root, path));

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.ShareProfileRequest));
    }

    [Theory]
    [InlineData("profile.patient.name")]
    [InlineData("profile.patient.healthId")]
    [InlineData("profile.patient.gender")]
    [InlineData("profile.patient.yearOfBirth")]
    [InlineData("requestId")]
    public void ShareProfileRequest_NullInFieldTheFlowNeeds_ThrowsJsonException(string path)
    {
        var json = Fixtures.With("Wire/share-v05.json", root => SetNull(root, path));

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.ShareProfileRequest));
    }

    [Theory]
    [InlineData("resp")]
    [InlineData("resp.requestId")]
    [InlineData("requestId")]
    public void PatientAuthInitResponse_MissingCorrelation_ThrowsJsonException(string path)
    {
        var json = Fixtures.With("Wire/on-init.json", root => Remove(root, path));

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.PatientAuthInitResponse));
    }

    [Theory]
    [InlineData("\"X\"")]
    [InlineData("\"\"")]
    [InlineData("\"MALE\"")]
    [InlineData("7")]
    [InlineData("\"7\"")]
    [InlineData("true")]
    public void ShareProfileRequest_UnknownGender_ThrowsJsonException(string gender)
    {
        var json = Fixtures.With("Wire/share-v05.json", root => root["profile"]!["patient"]!["gender"] = JsonNode.Parse(gender));

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.ShareProfileRequest));
    }

    [Theory]
    [InlineData("M", (int)PatientGender.M)]
    [InlineData("F", (int)PatientGender.F)]
    [InlineData("O", (int)PatientGender.O)]
    [InlineData("U", (int)PatientGender.U)]
    public void ShareProfileRequest_EveryGenderOfTheContract_IsRead(string gender, int expectedValue)
    {
        var expected = (PatientGender)expectedValue; // the DTOs are internal: a public test method takes the value

        var json = Fixtures.With("Wire/share-v05.json", root => root["profile"]!["patient"]!["gender"] = gender);

        Assert.Equal(expected, Read(json, AbdmJsonContext.Default.ShareProfileRequest).Profile.Patient.Gender);
    }

    [Fact]
    public void ShareProfileRequest_NumericIdentifierType_ThrowsJsonException()
    {
        var json = Fixtures.With("Wire/share-v05.json", root => root["profile"]!["patient"]!["identifiers"]![0]!["type"] = 9);

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.ShareProfileRequest));
    }

    [Fact]
    public void ShareProfileRequest_IdentifierTypeTheGatewayAddsLater_IsReadAndKept()
    {
        var json = Fixtures.With("Wire/share-v05.json", root => root["profile"]!["patient"]!["identifiers"]![0]!["type"] = "PASSPORT");

        var identifier = Assert.Single(Read(json, AbdmJsonContext.Default.ShareProfileRequest).Profile.Patient.Identifiers!);

        Assert.Equal("PASSPORT", identifier.Type);
    }

    [Fact]
    public void PatientAuthInitResponse_UnknownAuthMode_ThrowsJsonException()
    {
        var json = Fixtures.With("Wire/on-init.json", root => root["auth"]!["mode"] = 42);

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.PatientAuthInitResponse));
    }

    [Fact]
    public void PatientAuthConfirmResponse_UnknownPatientGender_ThrowsJsonException()
    {
        var json = Fixtures.With("Wire/on-confirm-success.json", root =>
            root["auth"]!["patient"] = JsonNode.Parse("""{"id":"test@sbx","name":"Jane Doe","gender":9,"yearOfBirth":2000}"""));

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.PatientAuthConfirmResponse));
    }

    [Fact]
    public void ShareProfileRequest_SeedMonthWithLeadingZero_IsNotJson()
    {
        // The seed document writes "monthOfBirth": 02, which no JSON reader accepts (the fixtures use 2).
        var json = Fixtures.Text("Wire/share-v05.json").Replace("\"monthOfBirth\": 2", "\"monthOfBirth\": 02", StringComparison.Ordinal);

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.ShareProfileRequest));
    }

    [Fact]
    public void SessionResponse_GatewayExample_IsRead()
    {
        var session = Read("""{"accessToken":"test-access-token-1","expiresIn":1800,"refreshExpiresIn":1800,"refreshToken":"r","tokenType":"bearer","scope":"x"}""",
            AbdmJsonContext.Default.SessionResponse);

        Assert.Equal(1800, session.ExpiresIn);
        Assert.Equal("bearer", session.TokenType);
        Assert.True(session.AdditionalProperties.ContainsKey("scope"));
    }

    [Fact]
    public void ErrorResponse_StringCode_IsRefusedBecauseCodesAreIntegersOnTheV05Wire()
    {
        // Documents the v0.5 contract: error.code is an integer. Gateway HTTP error bodies (string codes such as
        // "ABDM-1006: ") are read by GatewayErrorParser, not by this DTO.
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize("""{"error":{"code":"ABDM-1006","message":"x"}}""", AbdmJsonContext.Default.ErrorResponse));
        Assert.Equal(1441, JsonSerializer.Deserialize("""{"error":{"code":1441,"message":"x"}}""", AbdmJsonContext.Default.ErrorResponse)?.Error?.Code);
    }

    private static T Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        var value = JsonSerializer.Deserialize(json, typeInfo);
        Assert.NotNull(value);
        return value;
    }

    private static (JsonNode Parent, string Name) Locate(JsonNode root, string path)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? node[index]! : node[part]!;
        }

        return (node, parts[^1]);
    }

    private static void SetNull(JsonNode root, string path)
    {
        var (parent, name) = Locate(root, path);
        parent[name] = null;
    }

    private static void Remove(JsonNode root, string path)
    {
        var (parent, name) = Locate(root, path);
        Assert.True(parent.AsObject().Remove(name), $"{path} is not in the fixture");
    }
}
