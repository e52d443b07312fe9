using System.Net;
using System.Text;
using System.Text.Json;
using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Endpoints.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.AspNetCore.Tests.Security;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.Internal;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

public sealed class CallbackBodyReaderTests
{
    private static readonly CallbackOptions Defaults = new();

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
    public async Task ReadAsync_EndlessChunkedBody_StopsAfterLimitPlusOneBytes()
    {
        var stream = new EndlessStream();
        var context = Request(stream, "application/json", contentLength: null);

        var body = await ReadAsync(context.Request, Defaults);

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

        var body = await ReadAsync(context.Request, Defaults);

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

        var body = await ReadAsync(context.Request, Defaults);

        Assert.Equal(413, body.StatusCode);
        Assert.Equal(0, stream.BytesRead);
    }

    [Fact]
    public async Task ReadAsync_WrongContentType_RejectedBeforeReading()
    {
        var stream = new EndlessStream();
        var context = Request(stream, "text/plain", contentLength: null);

        var body = await ReadAsync(context.Request, Defaults);

        Assert.Equal(415, body.StatusCode);
        Assert.Equal(0, stream.BytesRead);
    }

    [Theory]
    [InlineData(StatusCodes.Status413PayloadTooLarge, 413)]
    [InlineData(StatusCodes.Status400BadRequest, 400)]
    public async Task ReadAsync_ServerRefusesBody_MapsStatus(int serverStatus, int expected)
    {
        var context = Request(new ThrowingStream(new BadHttpRequestException("synthetic", serverStatus)), "application/json", contentLength: null);

        var body = await ReadAsync(context.Request, Defaults);

        Assert.Equal(expected, body.StatusCode);
    }

    [Fact]
    public async Task ReadAsync_BodyRefusedByTheRead_Answered400WithItsMessageAndCode()
    {
        var bytes = Encoding.UTF8.GetBytes(ProbeApp.ValidBody);
        var context = Request(new MemoryStream(bytes), "application/json", bytes.Length);

        var body = await CallbackBodyReader.ReadAsync(context.Request, Defaults, 0,
            static (_, _) => new CallbackReadResult<ShareProfileRequest>(null, "Missing required property at $: requestId.", "ABDM-1006"), CancellationToken.None);

        Assert.False(body.Succeeded);
        Assert.Equal(400, body.StatusCode);
        Assert.Equal("Missing required property at $: requestId.", body.Error);
        Assert.Equal("ABDM-1006", body.ErrorCode);
    }

    [Fact]
    public async Task ReadAsync_Read_SeesExactlyTheBodyBytes()
    {
        var bytes = Encoding.UTF8.GetBytes(ProbeApp.ValidBody);
        var context = Request(new MemoryStream(bytes), "application/json", bytes.Length);
        byte[]? seen = null;

        var body = await CallbackBodyReader.ReadAsync(context.Request, Defaults, 0, (_, span) =>
        {
            seen = span.ToArray();
            return CallbackJsonReader.Read(span, AbdmJsonContext.Default.ShareProfileRequest, Defaults);
        }, CancellationToken.None);

        Assert.True(body.Succeeded, body.Error);
        Assert.Equal(bytes, seen);
    }

    [Fact]
    public async Task Error_WritesGatewayErrorShape()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        var output = new MemoryStream();
        context.Response.Body = output;

        await CallbackResponses.WriteErrorAsync(context, 401, "token expired");

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

    private static ValueTask<CallbackBody<ShareProfileRequest>> ReadAsync(string json, string contentType = "application/json", CallbackOptions? limits = null)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return ReadAsync(Request(new MemoryStream(bytes), contentType, bytes.Length).Request, limits ?? Defaults);
    }

    /// <summary>The transport's read with the core's JSON read of a v0.5 share (what the inbox does first).</summary>
    private static ValueTask<CallbackBody<ShareProfileRequest>> ReadAsync(HttpRequest request, CallbackOptions limits) =>
        CallbackBodyReader.ReadAsync(request, limits, limits, static (l, bytes) => CallbackJsonReader.Read(bytes, AbdmJsonContext.Default.ShareProfileRequest, l), CancellationToken.None);

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
