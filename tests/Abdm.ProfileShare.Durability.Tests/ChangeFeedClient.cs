using System.Collections.Concurrent;
using System.Text.Json;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// Reads one instance's change feed (the TestHost's <c>GET /_test/changes</c>, server-sent events over
/// <c>ICounterQueue.WatchAsync</c>) and records the entries it saw added.
/// </summary>
internal sealed class ChangeFeedClient : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Guid, bool> _added = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<IReadOnlyCollection<Guid>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly Task _reader;
    private int _changes;

    private ChangeFeedClient(HttpClient http, HttpResponseMessage response, StreamReader stream)
    {
        _http = http;
        _response = response;
        _reader = Task.Run(() => ReadAsync(stream));
    }

    /// <summary>How many changes (any kind) the feed delivered.</summary>
    public int ChangeCount => Volatile.Read(ref _changes);

    /// <summary>The entries the feed reported as added.</summary>
    public IReadOnlyCollection<Guid> Added => [.. _added.Keys];

    public static async Task<ChangeFeedClient> ConnectAsync(Uri hostUrl, string hipId)
    {
        var http = new HttpClient { BaseAddress = hostUrl, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var response = await http.GetAsync($"_test/changes?hip={Uri.EscapeDataString(hipId)}", HttpCompletionOption.ResponseHeadersRead, connect.Token);
            response.EnsureSuccessStatusCode();
            var stream = new StreamReader(await response.Content.ReadAsStreamAsync(connect.Token));
            var first = await stream.ReadLineAsync(connect.Token);
            if (first != ": subscribed")
            {
                throw new InvalidOperationException($"The change feed began with '{first}', not ': subscribed'.");
            }

            return new ChangeFeedClient(http, response, stream);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Completes when the entries seen added satisfy <paramref name="condition"/>.</summary>
    public Task WaitUntilAsync(Func<IReadOnlyCollection<Guid>, bool> condition, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(Added))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, done));
        }

        return done.Task.WaitAsync(timeout);
    }

    private async Task ReadAsync(StreamReader stream)
    {
        try
        {
            while (await stream.ReadLineAsync(_stop.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                var change = JsonSerializer.Deserialize<Change>(line["data: ".Length..], Json)!;
                Interlocked.Increment(ref _changes);
                if (change.Kind == "Added")
                {
                    _added[change.EntryId] = true;
                }

                lock (_gate)
                {
                    var added = Added;
                    foreach (var waiter in _waiters.Where(w => w.Condition(added)).ToList())
                    {
                        waiter.Done.TrySetResult();
                        _waiters.Remove(waiter);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Stopped, or the host went away.
        }
        finally
        {
            stream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _response.Dispose();
        _http.Dispose();
        _stop.Dispose();
    }

    private sealed record Change(string Kind, Guid EntryId, string Counter, long Version);
}
