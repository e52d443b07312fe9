using System.Globalization;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>
/// Unhealthy when the oldest pending outbox item is older than the threshold: the gateway has been failing, or no
/// processor runs, for that long (patients wait for their on-share, linking tokens do not arrive).
/// </summary>
/// <remarks>
/// The threshold is at least <c>Linking:CallbackTimeout</c> and <c>Linking:RequestWindow</c> plus a minute: a
/// callback-timeout timer, or a throttled token request, legitimately stays pending that long. The statistics are read from the store, so every instance sharing it reports the same outbox.
/// </remarks>
internal sealed class OutboxHealthCheck(
    IProfileShareStore store,
    TimeProvider timeProvider,
    IOptionsMonitor<AbdmProfileShareOptions> options,
    AbdmProfileShareHealthCheckOptions healthOptions) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        OutboxStatistics statistics;
        try
        {
            statistics = await store.GetOutboxStatisticsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The outbox could not be read from the store: {ex.GetType().Name}.");
        }

        var threshold = Threshold();
        var age = statistics.OldestCreatedAt is { } oldest ? timeProvider.GetUtcNow() - oldest : TimeSpan.Zero;
        var data = new Dictionary<string, object>
        {
            ["pending"] = statistics.Pending,
            ["oldest_pending_age_seconds"] = Math.Max(0, Math.Round(age.TotalSeconds)),
            ["threshold_seconds"] = threshold.TotalSeconds,
        };

        if (age <= threshold)
        {
            return HealthCheckResult.Healthy(
                string.Create(CultureInfo.InvariantCulture, $"{statistics.Pending} pending outbox item(s); the oldest is {age.TotalSeconds:F0} s old."), data);
        }

        return new HealthCheckResult(context.Registration.FailureStatus,
            string.Create(CultureInfo.InvariantCulture,
                $"The oldest of {statistics.Pending} pending outbox item(s) is {age.TotalMinutes:F1} min old (threshold {threshold.TotalMinutes:F1} min): the gateway keeps failing or no outbox processor runs."),
            data: data);
    }

    internal TimeSpan Threshold()
    {
        // A callback-timeout timer waits Linking:CallbackTimeout; a throttled chain's call waits up to Linking:RequestWindow.
        var linking = options.CurrentValue.Linking;
        var timer = (linking.CallbackTimeout > linking.RequestWindow ? linking.CallbackTimeout : linking.RequestWindow) + TimeSpan.FromMinutes(1);
        return healthOptions.OutboxStuckThreshold > timer ? healthOptions.OutboxStuckThreshold : timer;
    }
}
