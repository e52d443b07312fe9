using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// The ABDM v3 gateway faked over HTTP for endpoint tests (paths from the host, <c>/api/hiecm/...</c>): the primary
/// handler of the SDK's gateway and sessions clients. It answers <c>/api/hiecm/gateway/v3/sessions</c> with a session,
/// on-share and generate-token with 202, anything else with the gateway's routing 404, and records every call with
/// its headers. The tests play the gateway's callbacks themselves (<see cref="PostToHipAsync"/>).
/// </summary>
internal sealed class V3FakeGateway : RecordingGateway
{
    public const string SessionToken = "fake-v3-session-token";
    public const string BaseUrl = "https://gateway.test";
    public const string Sessions = "/api/hiecm/gateway/v3/sessions";
    public const string OnShare = "/api/hiecm/patient-share/v3/on-share";
    public const string GenerateToken = "/api/hiecm/v3/token/generate-token";
    public const string CallbackToken = "Bearer test-gateway-token";


    public HttpClient? Hip { get; set; }

    /// <summary>When true, the sessions endpoint answers 503 (the gateway is down: no session, so no v3 JWKS either).</summary>
    public volatile bool SessionsDown;

    /// <summary>Posts a v3 callback to the HIP as the gateway does: REQUEST-ID, TIMESTAMP, X-HIP-ID, Authorization.</summary>
    public Task<HttpResponseMessage> PostToHipAsync(string path, JsonNode body, string? requestId, string? hipId = ProfileShareTestHost.HipId, string? authorization = CallbackToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if (requestId is not null)
        {
            message.Headers.TryAddWithoutValidation("REQUEST-ID", requestId);
        }

        message.Headers.TryAddWithoutValidation("TIMESTAMP", "2026-11-28T04:30:00.587Z");
        if (hipId is not null)
        {
            message.Headers.TryAddWithoutValidation("X-HIP-ID", hipId);
        }

        if (authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return Hip!.SendAsync(message);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var call = await ReadAsync(request, path, cancellationToken);

        if (path == Sessions && SessionsDown)
        {
            Record(call with { Status = 503 });
            return Json(HttpStatusCode.ServiceUnavailable, """{"code":"503","message":"Service Unavailable"}""");
        }

        if (path == Sessions)
        {
            Record(call with { Status = 200 });
            return Json(HttpStatusCode.OK, $$"""{"accessToken":"{{SessionToken}}","expiresIn":1200,"refreshExpiresIn":1800,"refreshToken":"r","tokenType":"bearer"}""");
        }

        if (path is OnShare or GenerateToken)
        {
            Record(call with { Status = 202 });
            return new HttpResponseMessage(HttpStatusCode.Accepted);
        }

        Record(call with { Status = 404 });
        return Json(HttpStatusCode.NotFound, """{"code":"404","type":"Status report","message":"Not Found"}""");
    }

}
