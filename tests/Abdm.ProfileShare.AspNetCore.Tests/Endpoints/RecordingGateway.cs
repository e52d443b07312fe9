using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// What every faked gateway in these tests shares: it is the primary handler of the SDK's gateway clients, records
/// every call (method, path, headers, body, the status it answered) and lets a test await a call.
/// </summary>
internal abstract class RecordingGateway : HttpMessageHandler
{
    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private readonly List<(Func<RecordedCall, bool> Match, TaskCompletionSource<RecordedCall> Signal)> _waiters = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<RecordedCall> Calls => [.. _calls];

    public IReadOnlyList<RecordedCall> CallsTo(string path) => [.. _calls.Where(c => c.Path == path)];

    public Task<RecordedCall> WaitForAsync(Func<RecordedCall, bool> match, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource<RecordedCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = _calls.FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((match, signal));
        }

        return signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
    }

    /// <summary>The call as recorded (status 0 until <see cref="Record"/> is given the answer's).</summary>
    protected static async Task<RecordedCall> ReadAsync(HttpRequestMessage request, string path, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        return new RecordedCall(request.Method.Method, path, request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            string.IsNullOrEmpty(body) ? null : JsonNode.Parse(body));
    }

    protected void Record(RecordedCall call)
    {
        List<TaskCompletionSource<RecordedCall>> matched = [];
        lock (_gate)
        {
            _calls.Enqueue(call);
            foreach (var waiter in _waiters.ToList())
            {
                if (waiter.Match(call))
                {
                    matched.Add(waiter.Signal);
                    _waiters.Remove(waiter);
                }
            }
        }

        foreach (var signal in matched)
        {
            signal.TrySetResult(call);
        }
    }

    protected static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
