using System.Threading.Channels;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Wire.Internal;
using Abdm.ProfileShare.Wire.V3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// Reads running-token status requests and answers them in the background (<see cref="IRunningTokenStatusRequests"/>):
/// the counter's running token and average service time, or <c>ABDM-1031</c>. A transient gateway failure is retried a few
/// times (1, 4 and 16 seconds later); then the answer is dropped and logged.
/// </summary>
internal sealed class RunningTokenResponder : BackgroundService, IRunningTokenStatusRequests
{
    /// <summary>NHA's code when the counter has no token today.</summary>
    public const string NoTokenCode = "ABDM-1031";

    private const int Capacity = 1024;
    private const int RememberedRequests = 4096;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(16)];

    private readonly Channel<RunningTokenStatusRequest> _queue = Channel.CreateBounded<RunningTokenStatusRequest>(new BoundedChannelOptions(Capacity) { SingleReader = true });
    private readonly HashSet<Guid> _seen = [];
    private readonly Queue<Guid> _seenOrder = new();
    private readonly IServiceScopeFactory _scopes;
    private readonly ICounterQueue _counters;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RunningTokenResponder> _logger;

    public RunningTokenResponder(IServiceScopeFactory scopes, ICounterQueue counters, IOptionsMonitor<AbdmProfileShareOptions> options, TimeProvider time, ILogger<RunningTokenResponder> logger)
    {
        _scopes = scopes;
        _counters = counters;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public CallbackReadResult<RunningTokenStatusRequest> Read(string hipId, string? requestId, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(hipId);
        if (!Guid.TryParse(requestId, out var id))
        {
            return new(null, "The REQUEST-ID header must be a UUID.", "ABDM-2404");
        }

        var read = CallbackJsonReader.Read(body, AbdmV3JsonContext.Default.RunningTokenStatusV3Request, _options.CurrentValue.Callbacks);
        if (read.Value is not { } request)
        {
            return new(null, read.Error, "ABDM-1006");
        }

        if (!string.Equals(request.HipId, hipId, StringComparison.Ordinal))
        {
            return new(null, "hipId does not match the X-HIP-ID header.", "ABDM-1035");
        }

        var counter = request.Context.Trim();
        if (counter.Length == 0 || counter.Length > ShareMapper.MaxCounterCodeLengthV3)
        {
            return new(null, $"context (the counter id) must be 1 to {ShareMapper.MaxCounterCodeLengthV3} characters.", "ABDM-1006");
        }

        return new(new RunningTokenStatusRequest(id, hipId, counter), null, null);
    }

    public bool Accept(RunningTokenStatusRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_seen)
        {
            if (!_seen.Add(request.RequestId))
            {
                return false;
            }

            _seenOrder.Enqueue(request.RequestId);
            if (_seenOrder.Count > RememberedRequests)
            {
                _seen.Remove(_seenOrder.Dequeue());
            }
        }

        if (_queue.Writer.TryWrite(request))
        {
            return true;
        }

        Log.RunningTokenDropped(_logger, request.RequestId, "the answer queue is full");
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var request in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await AnswerAsync(request, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.RunningTokenDropped(_logger, request.RequestId, ex.GetType().Name);
            }
        }
    }

    private async Task AnswerAsync(RunningTokenStatusRequest request, CancellationToken cancellationToken)
    {
        var running = await _counters.GetRunningTokenAsync(request.HipId, request.CounterCode, cancellationToken).ConfigureAwait(false);
        var answer = new RunningTokenStatusAnswer
        {
            RequestId = Guid.NewGuid(),
            StatusRequestId = request.RequestId,
            HipId = request.HipId,
            RunningTokenNumber = running.TokenNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AverageTokenServiceTimeInMinutes = running.AverageServiceMinutes,
            ErrorCode = running.TokenNumber is null ? NoTokenCode : null,
            ErrorMessage = running.TokenNumber is null ? "No token has been called at this counter today." : null,
        };

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var scope = _scopes.CreateScope();
                await scope.ServiceProvider.GetRequiredService<IAbdmGatewayClient>().SendRunningTokenStatusAsync(answer, cancellationToken).ConfigureAwait(false);
                Log.RunningTokenAnswered(_logger, request.RequestId, request.HipId, answer.RunningTokenNumber ?? NoTokenCode);
                return;
            }
            catch (AbdmGatewayException ex) when (ex.IsTransient && attempt < RetryDelays.Length)
            {
                await Task.Delay(RetryDelays[attempt], _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
