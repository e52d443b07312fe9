using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>One request as the v3 fake gateway received it, with every header (copied, so it outlives the message).</summary>
internal sealed record V3CapturedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public string Path => Uri.AbsolutePath;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonNode? Json => Body is null ? null : JsonNode.Parse(Body);
}

/// <summary>
/// A scripted ABDM v3 gateway (paths start at the host, <c>/api/hiecm/...</c>): <c>/api/hiecm/gateway/v3/sessions</c>
/// hands out <c>test-access-token-1</c>, <c>-2</c>, … with <see cref="SessionStatus"/> (200 by default; the spec says
/// 202), each scripted operation answers from its script (the last answer repeats), anything else answers the
/// gateway's routing 404. Every request is captured with all its headers.
/// </summary>
internal sealed class V3FakeGateway : HttpMessageHandler
{
    public const string Host = "https://gw.test";
    public const string Sessions = "/api/hiecm/gateway/v3/sessions";
    public const string Certs = "/api/hiecm/gateway/v3/certs";
    public const string OnShare = "/api/hiecm/patient-share/v3/on-share";
    public const string GenerateToken = "/api/hiecm/v3/token/generate-token";

    private readonly ConcurrentQueue<V3CapturedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (HttpStatusCode Status, string? Body)[]> _scripts = new(StringComparer.Ordinal);

    /// <summary>The status of a successful session answer.</summary>
    public HttpStatusCode SessionStatus { get; set; } = HttpStatusCode.OK;

    public IReadOnlyList<V3CapturedRequest> Requests => [.. _requests];

    public static string AccessToken(int n) => $"test-access-token-{n}";

    public IReadOnlyList<V3CapturedRequest> RequestsTo(string path) => [.. _requests.Where(r => r.Path == path)];

    /// <summary>Scripts an operation: the n-th call gets the n-th answer, later calls the last one.</summary>
    public void On(string path, params (HttpStatusCode Status, string? Body)[] answers)
    {
        ArgumentOutOfRangeException.ThrowIfZero(answers.Length);
        _scripts[path] = answers;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var call = _calls.AddOrUpdate(path, 1, (_, n) => n + 1);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers["Content-Type"] = contentType.MediaType ?? "";
        }

        _requests.Enqueue(new V3CapturedRequest(request.Method, request.RequestUri, headers, body));

        if (_scripts.TryGetValue(path, out var script))
        {
            var (status, answer) = script[Math.Min(call, script.Length) - 1];
            return Response(status, answer);
        }

        if (path == Sessions)
        {
            return Response(SessionStatus,
                $$"""{"accessToken":"{{AccessToken(call)}}","expiresIn":1200,"refreshExpiresIn":1800,"refreshToken":"test-refresh-token-{{call}}","tokenType":"bearer"}""");
        }

        return Response(HttpStatusCode.NotFound, """{"code":"404","type":"Status report","message":"Not Found"}""");
    }

    private static HttpResponseMessage Response(HttpStatusCode status, string? body)
    {
        var response = new HttpResponseMessage(status);
        if (body is not null)
        {
            response.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return response;
    }
}
