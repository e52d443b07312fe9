using System.Text;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.Internal;
using Abdm.ProfileShare.Workflow;

namespace Abdm.ProfileShare.Tests.Wire;

/// <summary>
/// Reading a callback body's bytes (<see cref="CallbackJsonReader"/>): the byte order mark, the limits pass
/// (<see cref="SecurityJsonScanner"/>), the source-generated contract, and error messages that name the path and the
/// problem, never a value. (The transport's part, content type and size, is tested in the AspNetCore tests.)
/// </summary>
public sealed class CallbackJsonReaderTests
{
    private static readonly CallbackOptions Defaults = new();

    /// <summary>A valid v0.5 share body, obviously synthetic; "zzmarker" marks values that must never be echoed.</summary>
    internal const string ValidBody = """
        {
          "requestId": "5f7a535d-a3fd-416b-b069-c97d021fbacd",
          "timestamp": "2026-11-28T09:00:00.000Z",
          "profile": {
            "hipCode": "counter-zzmarker-1",
            "patient": {
              "healthId": "zzmarker-synthetic@sbx",
              "healthIdNumber": "91-0000-0000-0001",
              "name": "Zzmarker Synthetic Patient",
              "gender": "F",
              "address": { "line": "1 Zzmarker Test Lane", "district": "Test District", "state": "Test State", "pincode": "000001" },
              "yearOfBirth": 1990,
              "dayOfBirth": 1,
              "monthOfBirth": 1,
              "identifiers": [ { "type": "MOBILE", "value": "+91-9000000001" } ]
            }
          }
        }
        """;

    [Fact]
    public void Read_ValidBody_ReturnsValue()
    {
        var body = Read(ValidBody);

        Assert.True(body.Succeeded);
        Assert.Null(body.Error);
        Assert.Null(body.ErrorCode);
        var patient = body.Value!.Profile.Patient;
        Assert.Equal("zzmarker-synthetic@sbx", patient.HealthId);
        Assert.Equal(PatientGender.F, patient.Gender);
        Assert.Equal(1990, patient.YearOfBirth);
        Assert.Equal("MOBILE", Assert.Single(patient.Identifiers!).Type);
    }

    [Fact]
    public void Read_RealTrafficShape_Accepted()
    {
        // Nulls where the spec says required but the gateway sends null, unknown fields, a zone-less timestamp.
        const string json = """
            {"requestId":"5f7a535d-a3fd-416b-b069-c97d021fbacd","timestamp":"2022-05-15T15:16:48.277264","extra":{"a":[1,2]},
             "profile":{"hipCode":null,"patient":{"healthId":"synthetic@sbx","healthIdNumber":null,"name":"Synthetic Patient","gender":"M",
             "address":{"line":null,"district":null,"state":null,"pincode":null},"yearOfBirth":1990,"dayOfBirth":null,"monthOfBirth":null,
             "identifiers":[{"type":"MOBILE","value":"+91-9000000001"},{"type":"NDHM_HEALTH_NUMBER","value":null}]}}}
            """;

        var body = Read(json);

        Assert.True(body.Succeeded, body.Error);
        Assert.Equal(new DateTimeOffset(2022, 5, 15, 15, 16, 48, TimeSpan.Zero).AddTicks(2772640), body.Value!.Timestamp);
        Assert.Null(body.Value.Profile.Patient.HealthIdNumber);
        Assert.True(body.Value.AdditionalProperties.ContainsKey("extra"));
    }

    [Fact]
    public void Read_Utf8ByteOrderMark_Skipped()
    {
        var body = CallbackJsonReader.Read([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(ValidBody)], AbdmJsonContext.Default.ShareProfileRequest, Defaults);

        Assert.True(body.Succeeded, body.Error);
    }

    [Theory]
    [InlineData(new byte[] { 0xFE, 0xFF })]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0x00, 0x00 })]
    public void Read_Utf16Or32ByteOrderMark_Refused(byte[] mark)
    {
        var body = CallbackJsonReader.Read([.. mark, .. Encoding.UTF8.GetBytes(ValidBody)], AbdmJsonContext.Default.ShareProfileRequest, Defaults);

        Assert.False(body.Succeeded);
        Assert.Equal("The body must be UTF-8 encoded JSON.", body.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t ")]
    public void Read_EmptyBody_Refused(string json)
    {
        var body = Read(json);

        Assert.False(body.Succeeded);
        Assert.Equal("The body is empty.", body.Error);
    }

    [Theory]
    [InlineData("profile.patient.name", "Missing required property at $.profile.patient: name.")]
    [InlineData("profile.patient.gender", "Missing required property at $.profile.patient: gender.")]
    [InlineData("requestId", "Missing required property at $: requestId.")]
    public void Read_MissingRequired_NamesPathAndProperty(string path, string expected)
    {
        var node = JsonNode.Parse(ValidBody)!;
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(node, (n, p) => n[p]!);
        parent.AsObject().Remove(parts[^1]);

        var body = Read(node.ToJsonString());

        Assert.False(body.Succeeded);
        Assert.Equal(expected, body.Error);
    }

    [Theory]
    [InlineData("\"gender\": \"F\"", "\"gender\": \"X\"", "Unknown value at $.profile.patient.gender: expected one of M, F, O, U.")]
    [InlineData("\"gender\": \"F\"", "\"gender\": 1", "Invalid value at $.profile.patient.gender: expected one of M, F, O, U.")]
    [InlineData("\"type\": \"MOBILE\"", "\"type\": 7", "Invalid value at $.profile.patient.identifiers[0].type: expected a string, got a number.")]
    [InlineData("\"yearOfBirth\": 1990", "\"yearOfBirth\": \"zzmarker\"", "Invalid value at $.profile.patient.yearOfBirth: expected an integer, got a string.")]
    [InlineData("\"name\": \"Zzmarker Synthetic Patient\"", "\"name\": null", "Null is not allowed at $.profile.patient.name.")]
    [InlineData("\"requestId\": \"5f7a535d-a3fd-416b-b069-c97d021fbacd\"", "\"requestId\": \"zzmarker\"", "Invalid value at $.requestId: expected a UUID string; the string is not valid or out of range.")]
    public void Read_InvalidValue_NamesPathAndProblemWithoutValue(string find, string replace, string expected)
    {
        var body = Read(ValidBody.Replace(find, replace, StringComparison.Ordinal));

        Assert.False(body.Succeeded);
        Assert.Equal(expected, body.Error);
    }

    [Fact]
    public void Read_StringAtLimit_AcceptedAndOneOver_Rejected()
    {
        var limits = new CallbackOptions { MaxStringLength = 64 };
        var atLimit = ValidBody.Replace("Zzmarker Synthetic Patient", new string('n', 64), StringComparison.Ordinal);
        var overLimit = ValidBody.Replace("Zzmarker Synthetic Patient", new string('n', 65), StringComparison.Ordinal);
        var multiByte = ValidBody.Replace("Zzmarker Synthetic Patient", new string('\u0928', 64), StringComparison.Ordinal); // 3 bytes each

        Assert.True(Read(atLimit, limits).Succeeded);
        Assert.True(Read(multiByte, limits).Succeeded);
        var over = Read(overLimit, limits);
        Assert.False(over.Succeeded);
        Assert.Equal("String longer than 64 characters at $.profile.patient.name.", over.Error);
    }

    [Fact]
    public void Read_DepthAtLimit_AcceptedAndOneOver_Rejected()
    {
        var limits = new CallbackOptions { MaxJsonDepth = 6 };
        // root, profile, patient = 3 levels; 3 more at the limit, 4 more over it.
        var atLimit = ValidBody.Replace("\"gender\"", "\"x\": [[{}]], \"gender\"", StringComparison.Ordinal);
        var overLimit = ValidBody.Replace("\"gender\"", "\"x\": [[[{}]]], \"gender\"", StringComparison.Ordinal);

        Assert.True(Read(atLimit, limits).Succeeded);
        var over = Read(overLimit, limits);
        Assert.False(over.Succeeded);
        Assert.StartsWith("JSON nested deeper than 6 levels at $.profile.patient.?", over.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OtherContract_NamesItsProperties()
    {
        const string json = """{"requestId":"5f7a535d-a3fd-416b-b069-c97d021fbacd","timestamp":"2026-11-28T09:00:00Z","intent":{"type":"PROFILE_SHARE"},"location":{"latitude":"0","longitude":"0"}}""";

        var body = CallbackJsonReader.Read(Encoding.UTF8.GetBytes(json), AbdmJsonContext.Default.ShareProfileRequestV1, Defaults);

        Assert.False(body.Succeeded);
        Assert.Equal("Missing required property at $: profile.", body.Error);
    }

    [Fact]
    public void Read_RootNotAnObject_Refused()
    {
        var body = Read("[1,2]");

        Assert.False(body.Succeeded);
        Assert.Equal("The body must be a JSON object.", body.Error);
    }

    private static CallbackReadResult<ShareProfileRequest> Read(string json, CallbackOptions? limits = null) =>
        CallbackJsonReader.Read(Encoding.UTF8.GetBytes(json), AbdmJsonContext.Default.ShareProfileRequest, limits ?? Defaults);
}
