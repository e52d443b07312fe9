using Abdm.ProfileShare.Internal;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>
/// Turns a dependency's failures into one error when an outage starts and one information when it ends, instead of
/// an error per failed call or retry: the first failure after a success logs an error (event 1100), later failures
/// log at Debug (1102), and the first success after failures logs the recovery with the outage's duration and its
/// number of failures (1101).
/// </summary>
internal class OutageTracker
{
    private readonly string _dependency;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private DateTimeOffset? _since;
    private int _failures;
    private volatile bool _down;

    public OutageTracker(string dependency, ILogger logger, TimeProvider timeProvider)
    {
        _dependency = dependency;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>Whether the latest outcome was a failure.</summary>
    public bool IsDown => _down;

    /// <summary>Records a failed call.</summary>
    /// <param name="reason">What failed (operation, HTTP status, code or exception type; no patient data).</param>
    /// <param name="exception">Logged with the error that starts the outage only.</param>
    public void Failed(string reason, Exception? exception = null)
    {
        bool started;
        int failures;
        lock (_gate)
        {
            started = _since is null;
            _since ??= _timeProvider.GetUtcNow();
            failures = ++_failures;
            _down = true;
        }

        if (started)
        {
            Log.OutageStarted(_logger, _dependency, reason, exception);
        }
        else
        {
            Log.OutageContinues(_logger, _dependency, failures, reason);
        }
    }

    /// <summary>Records a successful call (cheap when there is no outage).</summary>
    public void Succeeded()
    {
        if (!_down)
        {
            return;
        }

        DateTimeOffset since;
        int failures;
        lock (_gate)
        {
            if (_since is not { } start)
            {
                return;
            }

            since = start;
            failures = _failures;
            _since = null;
            _failures = 0;
            _down = false;
        }

        Log.OutageEnded(_logger, _dependency, (_timeProvider.GetUtcNow() - since).TotalSeconds, failures);
    }
}

/// <summary>The ABDM gateway's outage tracker, shared by the gateway client and the session-token provider.</summary>
internal sealed class GatewayOutageTracker(ILogger<GatewayOutageTracker> logger, TimeProvider timeProvider)
    : OutageTracker("ABDM gateway", logger, timeProvider);
