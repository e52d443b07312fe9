using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage.Internal;

namespace Abdm.ProfileShare.Storage;

/// <summary>The in-memory store's linking-request guards and counters' service per day (under the store's one lock).</summary>
public sealed partial class InMemoryProfileShareStore
{
    /// <inheritdoc />
    public Task<LinkingRequestGuard> TryBeginLinkingRequestAsync(string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        lock (_gate)
        {
            var key = (hipId, PhrAddress.Fold(healthId));
            var guard = _linkingGuards.GetValueOrDefault(key) ?? new LinkingRequestGuard { HipId = hipId, HealthId = key.Item2 };
            if (guard.IsBlocked(now) || guard.LastRequestId == requestId || guard.LastRequestAt + window > now)
            {
                return Task.FromResult(guard);
            }

            guard = guard with { LastRequestId = requestId, LastRequestAt = now };
            _linkingGuards[key] = guard;
            return Task.FromResult(guard);
        }
    }

    /// <inheritdoc />
    public Task BlockLinkingRequestsAsync(string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        ArgumentNullException.ThrowIfNull(errorCode);
        lock (_gate)
        {
            var key = (hipId, PhrAddress.Fold(healthId));
            var guard = _linkingGuards.GetValueOrDefault(key) ?? new LinkingRequestGuard { HipId = hipId, HealthId = key.Item2 };
            if (!(guard.BlockedUntil >= until))
            {
                _linkingGuards[key] = guard with { BlockedUntil = until, BlockCode = errorCode };
            }

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public Task RecordCounterServiceAsync(CounterServiceEvent serviceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serviceEvent);
        lock (_gate)
        {
            var key = (serviceEvent.HipId, serviceEvent.CounterCode, serviceEvent.ServiceDay);
            var day = _counterService.GetValueOrDefault(key)
                ?? new CounterServiceDay { HipId = serviceEvent.HipId, CounterCode = serviceEvent.CounterCode, ServiceDay = serviceEvent.ServiceDay };
            if (serviceEvent.CalledTokenNumber is { } token && !(day.CalledAt > serviceEvent.At))
            {
                day = day with { RunningTokenNumber = token, CalledAt = serviceEvent.At };
            }

            if (serviceEvent.ServiceTime is { } time)
            {
                day = day with { ServedCount = day.ServedCount + 1, TotalServiceTime = day.TotalServiceTime + time };
            }

            _counterService[key] = day;
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public Task<CounterServiceDay?> GetCounterServiceDayAsync(string hipId, string counterCode, DateOnly serviceDay, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_counterService.GetValueOrDefault((hipId, counterCode, serviceDay)));
        }
    }
}
