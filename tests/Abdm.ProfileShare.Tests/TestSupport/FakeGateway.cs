using System.Collections.Concurrent;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Text;
using RichardSzalay.MockHttp;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>One request as the mocked gateway received it (copied, so it outlives the request message).</summary>
internal sealed record CapturedRequest(
    HttpMethod Method,
    Uri Uri,
    string? Authorization,
    string? ConsentManagerId,
    IReadOnlyList<string> Accept,
    string? ContentMediaType,
    string? Body)
{
    public string Path => Uri.AbsolutePath;
}

/// <summary>
/// A scripted gateway on a <see cref="MockHttpMessageHandler"/>: <c>/v0.5/sessions</c> hands out
/// <c>test-access-token-1</c>, <c>-2</c>, … (expiresIn <see cref="SessionExpiresInSeconds"/>), and each operation
/// answers from its own script (one responder per call; the last one repeats). Every request is captured.
/// </summary>
internal sealed class FakeGateway
{
    public const string BaseUrl = "https://gw.test/gateway";
    public const string PathPrefix = "/gateway";

    private readonly ConcurrentQueue<CapturedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<HttpRequestMessage, Task<HttpResponseMessage>>[]> _scripts = new(StringComparer.Ordinal);

    public FakeGateway()
    {
        SessionResponder = DefaultSessionResponder;

        // MockHttp 7.1 reads the result of a faulted responder task before checking for the fault, which leaves the
        // request hanging until it is cancelled; an exception thrown synchronously reaches the caller. So a scripted
        // failure that completes synchronously is rethrown synchronously.
        Handler.Fallback.Respond(request =>
        {
            var task = DispatchAsync(request);
            if (task.IsFaulted)
            {
                ExceptionDispatchInfo.Capture(task.Exception!.InnerException!).Throw();
            }

            return task;
        });
    }

    public MockHttpMessageHandler Handler { get; } = new();

    /// <summary>The <c>expiresIn</c> of issued session tokens.</summary>
    public int SessionExpiresInSeconds { get; set; } = 1800;

    /// <summary>Answers the n-th (1-based) <c>/v0.5/sessions</c> call; by default issues <c>test-access-token-n</c>.</summary>
    public Func<int, HttpRequestMessage, Task<HttpResponseMessage>> SessionResponder { get; set; }

    public IReadOnlyList<CapturedRequest> Requests => [.. _requests];

    public static string AccessToken(int n) => $"test-access-token-{n}";

    public IReadOnlyList<CapturedRequest> RequestsTo(string operationPath) =>
        [.. _requests.Where(r => r.Path == PathPrefix + operationPath)];

    public int CallsTo(string operationPath) => _calls.TryGetValue(PathPrefix + operationPath, out var n) ? n : 0;

    /// <summary>Scripts an operation: the n-th call gets the n-th responder, later calls the last one.</summary>
    public void On(string operationPath, params Func<HttpRequestMessage, Task<HttpResponseMessage>>[] responders)
    {
        ArgumentOutOfRangeException.ThrowIfZero(responders.Length);
        _scripts[PathPrefix + operationPath] = responders;
    }

    /// <summary>Scripts an operation by status codes and bodies: the n-th call gets the n-th answer.</summary>
    public void On(string operationPath, params (HttpStatusCode Status, string? Body)[] answers) =>
        On(operationPath, [.. answers.Select(a => (Func<HttpRequestMessage, Task<HttpResponseMessage>>)(_ => Task.FromResult(Response(a.Status, a.Body))))]);

    public static HttpResponseMessage Response(HttpStatusCode status, string? body = null)
    {
        var response = new HttpResponseMessage(status);
        if (body is not null)
        {
            response.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return response;
    }

    public static Func<HttpRequestMessage, Task<HttpResponseMessage>> Answer(HttpStatusCode status, string? body = null) =>
        _ => Task.FromResult(Response(status, body));

    public static Func<HttpRequestMessage, Task<HttpResponseMessage>> Throw(Exception exception) =>
        _ => Task.FromException<HttpResponseMessage>(exception);

    /// <summary>A successful <c>/v0.5/sessions</c> answer issuing <c>test-access-token-n</c>.</summary>
    public HttpResponseMessage SessionOk(int call) =>
        Response(HttpStatusCode.OK,
            $$"""{"accessToken":"{{AccessToken(call)}}","expiresIn":{{SessionExpiresInSeconds}},"refreshExpiresIn":1800,"refreshToken":"test-refresh-token-{{call}}","tokenType":"bearer"}""");

    private Task<HttpResponseMessage> DefaultSessionResponder(int call, HttpRequestMessage request) => Task.FromResult(SessionOk(call));

    private async Task<HttpResponseMessage> DispatchAsync(HttpRequestMessage request)
    {
        var path = request.RequestUri!.AbsolutePath;
        var call = _calls.AddOrUpdate(path, 1, (_, n) => n + 1);
        await CaptureAsync(request);
        if (path == PathPrefix + "/v0.5/sessions" && !_scripts.ContainsKey(path))
        {
            return await SessionResponder(call, request);
        }

        if (_scripts.TryGetValue(path, out var script))
        {
            var responder = script[Math.Min(call, script.Length) - 1];
            return await responder(request);
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("{\"error\":{\"code\":404,\"message\":\"no such path in FakeGateway\"}}") };
    }

    private async Task CaptureAsync(HttpRequestMessage request)
    {
        string? body = null;
        string? mediaType = null;
        if (request.Content is { } content)
        {
            body = await content.ReadAsStringAsync();
            mediaType = content.Headers.ContentType?.MediaType;
        }

        _requests.Enqueue(new CapturedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("X-CM-ID", out var cm) ? string.Join(",", cm) : null,
            [.. request.Headers.Accept.Select(a => a.MediaType ?? "")],
            mediaType,
            body));
    }
}
