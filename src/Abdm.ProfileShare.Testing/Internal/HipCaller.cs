using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// The simulator's calls to a HIP: sends each with its faults applied (drop, duplicate, reverse order, an unpublished
/// key), journals it, and runs the callbacks that follow a 202 in the background until the simulator stops.
/// </summary>
internal sealed class HipCaller : IDisposable
{
    private const string Redacted = "[redacted]";

    private readonly GatewaySimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GatewayJournal _journal;
    private readonly Func<TokenService> _tokens;
    private readonly CancellationTokenSource _stopping;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<Task, bool> _background = new();

    /// <param name="options">The simulator's options: its clock and the callback timeout.</param>
    /// <param name="journal">Where each call is recorded.</param>
    /// <param name="tokens">The token service that signs the calls (created when the simulator starts).</param>
    /// <param name="stopping">The simulator's stopping source, owned by the engine; it ends background callbacks.</param>
    /// <param name="logger">The simulator's logger.</param>
    public HipCaller(GatewaySimulatorOptions options, GatewayJournal journal, Func<TokenService> tokens, CancellationTokenSource stopping, ILogger logger)
    {
        _options = options;
        _time = options.TimeProvider;
        _logger = logger;
        _journal = journal;
        _tokens = tokens;
        _stopping = stopping;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = options.CallbackTimeout };
    }

    public void RunInBackground(Func<CancellationToken, Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // The simulator stopped.
            }
            catch (Exception ex)
            {
                Log.BackgroundFailed(_logger, ex);
            }
        });
        _background[task] = true;
        _ = task.ContinueWith(t => _background.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits (up to 5 seconds) for the background callbacks to end once the simulator is stopping.</summary>
    public async Task DrainAsync()
    {
        try
        {
            await Task.WhenAll(_background.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // Background callbacks end with the simulator.
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Sends a call to the HIP with its faults applied; returns the first delivery's entry, or <see langword="null"/> when dropped.</summary>
    public async Task<JournalEntry?> DeliverAsync(GatewayOperation operation, string hipId, Uri url, FaultPlan plan, Func<Outgoing> build, CancellationToken cancellationToken)
    {
        foreach (var fault in plan.Applied)
        {
            Log.FaultApplied(_logger, fault, operation);
        }

        if (plan.Delay > TimeSpan.Zero)
        {
            await Task.Delay(plan.Delay, _time, cancellationToken).ConfigureAwait(false);
        }

        var first = build();
        if (plan.Outcome == FaultKind.Drop)
        {
            _journal.Record(sequence => new JournalEntry
            {
                Sequence = sequence,
                Time = _time.GetUtcNow(),
                Direction = JournalDirection.Sent,
                Operation = operation,
                Method = "POST",
                Path = url.ToString(),
                Headers = new Dictionary<string, string>(),
                Body = ParseBody(first.Body),
                RequestId = first.RequestId,
                RespRequestId = first.RespRequestId,
                HealthId = first.HealthId,
                HipId = hipId,
                Detail = "Dropped by a fault; not sent.",
                Faults = plan.Applied,
            });
            return null;
        }

        var unpublished = plan.Has(FaultKind.UnpublishedKey);
        var redeliver = _options.RedeliverCallbacks && IsCallback(operation);
        if (plan.Has(FaultKind.ReverseOrder))
        {
            var later = build();
            await SendAsync(operation, hipId, url, later, plan.Applied, unpublished, null, redeliver, cancellationToken).ConfigureAwait(false);
            return await SendAsync(operation, hipId, url, first, plan.Applied, unpublished, null, redeliver, cancellationToken).ConfigureAwait(false);
        }

        var entry = await SendAsync(operation, hipId, url, first, [.. plan.Applied.Where(f => f != FaultKind.Duplicate)], unpublished, null, redeliver, cancellationToken).ConfigureAwait(false);
        if (plan.Has(FaultKind.Duplicate))
        {
            await SendAsync(operation, hipId, url, first, plan.Applied, unpublished, null, redeliver: false, cancellationToken).ConfigureAwait(false);
        }

        return entry;
    }

    private static bool IsCallback(GatewayOperation operation) =>
        operation is GatewayOperation.OnInit or GatewayOperation.OnConfirm or GatewayOperation.OnGenerateToken;

    /// <summary>
    /// The gateway's one late delivery of a callback the HIP did not accept: at <paramref name="due"/> (on the
    /// simulator's clock), the same message with the same bearer token.
    /// </summary>
    private void ScheduleRedelivery(GatewayOperation operation, string hipId, Uri url, Outgoing message, IReadOnlyList<FaultKind> faults, string token, DateTimeOffset due) =>
        RunInBackground(async stopping =>
        {
            var wait = due - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, stopping).ConfigureAwait(false);
            }

            Log.Redelivering(_logger, operation, message.RequestId, hipId);
            await SendAsync(operation, hipId, url, message, faults, unpublishedKey: false, token, redeliver: false, stopping).ConfigureAwait(false);
        });

    /// <summary>
    /// Sends one call; <paramref name="redeliveryToken"/> makes it a redelivery with that bearer token. With
    /// <paramref name="redeliver"/>, a call the HIP did not accept is scheduled for its redelivery before it is journaled
    /// (so a test that saw the entry can advance the clock past the redelivery).
    /// </summary>
    private async Task<JournalEntry> SendAsync(
        GatewayOperation operation, string hipId, Uri url, Outgoing message, IReadOnlyList<FaultKind> faults, bool unpublishedKey, string? redeliveryToken,
        bool redeliver, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(message.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var bearer = redeliveryToken ?? _tokens().CallbackToken(unpublishedKey, message.V3);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        request.Headers.TryAddWithoutValidation("X-HIP-ID", hipId);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Authorization"] = Redacted,
            ["X-HIP-ID"] = hipId,
            ["Content-Type"] = "application/json",
            ["Accept"] = "application/json",
        };
        if (message.V3)
        {
            var requestId = message.RequestId.ToString("D");
            var timestamp = message.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            request.Headers.TryAddWithoutValidation("REQUEST-ID", requestId);
            request.Headers.TryAddWithoutValidation("TIMESTAMP", timestamp);
            headers["REQUEST-ID"] = requestId;
            headers["TIMESTAMP"] = timestamp;
        }

        int? statusCode = null;
        string? detail = null;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            statusCode = (int)response.StatusCode;
            Log.Sent(_logger, operation, message.RequestId, hipId, statusCode.Value);
        }
        catch (HttpRequestException ex)
        {
            detail = "The HIP could not be reached: " + ex.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            detail = $"The HIP did not answer within {_options.CallbackTimeout}.";
        }

        if (detail is not null)
        {
            Log.NotDelivered(_logger, operation, message.RequestId, hipId, detail);
        }

        if (redeliver && statusCode is not (>= 200 and < 300))
        {
            ScheduleRedelivery(operation, hipId, url, message, faults, bearer, _time.GetUtcNow() + _options.CallbackRedeliveryDelay);
        }

        return _journal.Record(sequence => new JournalEntry
        {
            Sequence = sequence,
            Time = _time.GetUtcNow(),
            Direction = JournalDirection.Sent,
            Operation = operation,
            Method = "POST",
            Path = url.ToString(),
            Headers = headers,
            IsRedelivery = redeliveryToken is not null,
            Body = ParseBody(message.Body),
            RequestId = message.RequestId,
            RespRequestId = message.RespRequestId,
            HealthId = message.HealthId,
            HipId = hipId,
            StatusCode = statusCode,
            Detail = redeliveryToken is null ? detail : "Redelivery with the first delivery's bearer token." + (detail is null ? "" : " " + detail),
            Faults = faults,
        });
    }

    private static JsonElement ParseBody(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
