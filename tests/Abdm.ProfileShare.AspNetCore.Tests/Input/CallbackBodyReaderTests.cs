using System.Net;
using System.Text;
using System.Text.Json;
using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.AspNetCore.Tests.Security;
using Abdm.ProfileShare.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Input;

public sealed class CallbackBodyReaderTests
{
    private static readonly CallbackOptions Defaults = new();

    [Fact]
    public async Task ReadAsync_ValidBody_ReturnsValue()
    {
        var body = await ReadAsync(ProbeApp.ValidBody);

        Assert.True(body.Succeeded);
        Assert.Equal(0, body.StatusCode);
        Assert.Null(body.Error);
        var patient = body.Value!.Profile.Patient;
        Assert.Equal("zzmarker-synthetic@sbx", patient.HealthId);
        Assert.Equal(PatientGender.F, patient.Gender);
        Assert.Equal(1990, patient.YearOfBirth);
        Assert.Equal("MOBILE", Assert.Single(patient.Identifiers!).Type);
    }

    [Fact]
    public async Task ReadAsync_RealTrafficShape_Accepted()
    {
        // Nulls where the spec says required but the gateway sends null, unknown fields, a zone-less timestamp.
        const string json = """
            {"requestId":"5f7a535d-a3fd-416b-b069-c97d021fbacd","timestamp":"2022-05-15T15:16:48.277264","extra":{"a":[1,2]},
             "profile":{"hipCode":null,"patient":{"healthId":"synthetic@sbx","healthIdNumber":null,"name":"Synthetic Patient","gender":"M",
             "address":{"line":null,"district":null,"state":null,"pincode":null},"yearOfBirth":1990,"dayOfBirth":null,"monthOfBirth":null,
             "identifiers":[{"type":"MOBILE","value":"+91-9000000001"},{"type":"NDHM_HEALTH_NUMBER","value":null}]}}}
            """;

        var body = await ReadAsync(json);

        Assert.True(body.Succeeded, body.Error);
        Assert.Equal(new DateTimeOffset(2022, 5, 15, 15, 16, 48, TimeSpan.Zero).AddTicks(2772640), body.Value!.Timestamp);
        Assert.Null(body.Value.Profile.Patient.HealthIdNumber);
        Assert.True(body.Value.AdditionalProperties.ContainsKey("extra"));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json;charset=UTF-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/vnd.abdm.v1+json")]
    [InlineData("application/problem+json")]
    public async Task ReadAsync_JsonContentTypes_Accepted(string contentType)
    {
        var body = await ReadAsync(ProbeApp.ValidBody, contentType);

        Assert.True(body.Succeeded, body.Error);
    }

    [Fact]
    public async Task ReadAsync_Utf8ByteOrderMark_Skipped()
    {
        var body = await ReadAsync([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(ProbeApp.ValidBody)]);

        Assert.True(body.Succeeded, body.Error);
    }

    [Theory]
    [InlineData("profile.patient.name", "Missing required property at $.profile.patient: name.")]
    [InlineData("profile.patient.gender", "Missing required property at $.profile.patient: gender.")]
    [InlineData("requestId", "Missing required property at $: requestId.")]
    public async Task ReadAsync_MissingRequired_NamesPathAndProperty(string path, string expected)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(ProbeApp.ValidBody)!;
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(node, (n, p) => n[p]!);
        parent.AsObject().Remove(parts[^1]);

        var body = await ReadAsync(node.ToJsonString());

        Assert.Equal(400, body.StatusCode);
        Assert.Equal(expected, body.Error);
    }

    [Theory]
    [InlineData("\"gender\": \"F\"", "\"gender\": \"X\"", "Unknown value at $.profile.patient.gender: expected one of M, F, O, U.")]
    [InlineData("\"gender\": \"F\"", "\"gender\": 1", "Invalid value at $.profile.patient.gender: expected one of M, F, O, U.")]
    [InlineData("\"type\": \"MOBILE\"", "\"type\": 7", "Invalid value at $.profile.patient.identifiers[0].type: expected a string, got a number.")]
    [InlineData("\"yearOfBirth\": 1990", "\"yearOfBirth\": \"zzmarker\"", "Invalid value at $.profile.patient.yearOfBirth: expected an integer, got a string.")]
    [InlineData("\"name\": \"Zzmarker Synthetic Patient\"", "\"name\": null", "Null is not allowed at $.profile.patient.name.")]
    [InlineData("\"requestId\": \"5f7a535d-a3fd-416b-b069-c97d021fbacd\"", "\"requestId\": \"zzmarker\"", "Invalid value at $.requestId: expected a UUID string; the string is not valid or out of range.")]
    public async Task ReadAsync_InvalidValue_NamesPathAndProblemWithoutValue(string find, string replace, string expected)
    {
        var body = await ReadAsync(ProbeApp.ValidBody.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal(400, body.StatusCode);
        Assert.Equal(expected, body.Error);
    }

    [Fact]
    public async Task ReadAsync_StringAtLimit_AcceptedAndOneOver_Rejected()
    {
        var limits = new CallbackOptions { MaxStringLength = 64 };
        var atLimit = ProbeApp.ValidBody.Replace("Zzmarker Synthetic Patient", new string('n', 64), StringComparison.Ordinal);
        var overLimit = ProbeApp.ValidBody.Replace("Zzmarker Synthetic Patient", new string('n', 65), StringComparison.Ordinal);
        var multiByte = ProbeApp.ValidBody.Replace("Zzmarker Synthetic Patient", new string('\u0928', 64), StringComparison.Ordinal); // 3 bytes each

        Assert.True((await ReadAsync(atLimit, limits: limits)).Succeeded);
        Assert.True((await ReadAsync(multiByte, limits: limits)).Succeeded);
        var over = await ReadAsync(overLimit, limits: limits);
        Assert.Equal(400, over.StatusCode);
        Assert.Equal("String longer than 64 characters at $.profile.patient.name.", over.Error);
    }

    [Fact]
    public async Task ReadAsync_DepthAtLimit_AcceptedAndOneOver_Rejected()
    {
        var limits = new CallbackOptions { MaxJsonDepth = 6 };
        // root, profile, patient = 3 levels; 3 more at the limit, 4 more over it.
        var atLimit = ProbeApp.ValidBody.Replace("\"gender\"", "\"x\": [[{}]], \"gender\"", StringComparison.Ordinal);
        var overLimit = ProbeApp.ValidBody.Replace("\"gender\"", "\"x\": [[[{}]]], \"gender\"", StringComparison.Ordinal);

        Assert.True((await ReadAsync(atLimit, limits: limits)).Succeeded);
        var over = await ReadAsync(overLimit, limits: limits);
        Assert.Equal(400, over.StatusCode);
        Assert.StartsWith("JSON nested deeper than 6 levels at $.profile.patient.?", over.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_EndlessChunkedBody_StopsAfterLimitPlusOneBytes()
    {
        var stream = new EndlessStream();
        var context = Request(stream, "application/json", contentLength: null);

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.ShareProfileRequest, Defaults, CancellationToken.None);

        Assert.Equal(413, body.StatusCode);
        Assert.Equal("The body is larger than 65536 bytes.", body.Error);
        Assert.Equal(Defaults.MaxBodyBytes + 1, stream.BytesRead);
    }

    [Fact]
    public async Task ReadAsync_ChunkedBodyLargerThanFirstBuffer_ReadWhole()
    {
        // No Content-Length: the buffer starts small and grows while the body streams in.
        var padding = string.Join(",", Enumerable.Repeat("\"" + new string('p', 1000) + "\"", 12));
        var json = ProbeApp.ValidBody.Replace("\"profile\"", "\"padding\":[" + padding + "],\"profile\"", StringComparison.Ordinal);
        var context = Request(new MemoryStream(Encoding.UTF8.GetBytes(json)), "application/json", contentLength: null);

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.ShareProfileRequest, Defaults, CancellationToken.None);

        Assert.True(json.Length > 12_000);
        Assert.True(body.Succeeded, body.Error);
        Assert.Equal(12, ((JsonElement)body.Value!.AdditionalProperties["padding"]).GetArrayLength());
        Assert.Equal("zzmarker-synthetic@sbx", body.Value.Profile.Patient.HealthId);
    }

    [Fact]
    public async Task ReadAsync_ContentLengthOverLimit_RejectedBeforeReading()
    {
        var stream = new EndlessStream();
        var context = Request(stream, "application/json", contentLength: 1024 * 1024);

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.ShareProfileRequest, Defaults, CancellationToken.None);

        Assert.Equal(413, body.StatusCode);
        Assert.Equal(0, stream.BytesRead);
    }

    [Fact]
    public async Task ReadAsync_WrongContentType_RejectedBeforeReading()
    {
        var stream = new EndlessStream();
        var context = Request(stream, "text/plain", contentLength: null);

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.ShareProfileRequest, Defaults, CancellationToken.None);

        Assert.Equal(415, body.StatusCode);
        Assert.Equal(0, stream.BytesRead);
    }

    [Theory]
    [InlineData(StatusCodes.Status413PayloadTooLarge, 413)]
    [InlineData(StatusCodes.Status400BadRequest, 400)]
    public async Task ReadAsync_ServerRefusesBody_MapsStatus(int serverStatus, int expected)
    {
        var context = Request(new ThrowingStream(new BadHttpRequestException("synthetic", serverStatus)), "application/json", contentLength: null);

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.ShareProfileRequest, Defaults, CancellationToken.None);

        Assert.Equal(expected, body.StatusCode);
    }

    [Fact]
    public async Task ReadAsync_OtherContract_NamesItsProperties()
    {
        const string json = """{"requestId":"5f7a535d-a3fd-416b-b069-c97d021fbacd","timestamp":"2026-11-28T09:00:00Z","intent":{"type":"PROFILE_SHARE"},"location":{"latitude":"0","longitude":"0"}}""";
        var context = Request(new MemoryStream(Encoding.UTF8.GetBytes(json)), "application/json", json.Length);

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.ShareProfileRequestV1, Defaults, CancellationToken.None);

        Assert.Equal(400, body.StatusCode);
        Assert.Equal("Missing required property at $: profile.", body.Error);
    }

    [Fact]
    public async Task Error_WritesGatewayErrorShape()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        var output = new MemoryStream();
        context.Response.Body = output;

        await CallbackBodyReader.Error(401, "token expired").ExecuteAsync(context);

        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("""{"error":{"code":401,"message":"token expired"}}""", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task Probe_ValidBodyAndToken_Accepted()
    {
        await using var app = await ProbeApp.StartAsync();

        using var response = await app.PostAsync("Bearer " + app.ValidToken());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(app.Accepted);
    }

    private static Task<CallbackBody<ShareProfileRequest>> ReadAsync(string json, string contentType = "application/json", CallbackOptions? limits = null) =>
        ReadAsync(Encoding.UTF8.GetBytes(json), contentType, limits);

    private static Task<CallbackBody<ShareProfileRequest>> ReadAsync(byte[] bytes, string contentType = "application/json", CallbackOptions? limits = null)
    {
        var context = Request(new MemoryStream(bytes), contentType, bytes.Length);
        return CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.ShareProfileRequest, limits ?? Defaults, CancellationToken.None);
    }

    private static DefaultHttpContext Request(Stream body, string contentType, long? contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.ContentLength = contentLength;
        context.Request.Body = body;
        return context;
    }

    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, 4096);
            buffer[..n].Fill((byte)' ');
            BytesRead += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class ThrowingStream(Exception exception) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw exception;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(exception);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
