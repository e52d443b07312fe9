using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>Healthy when the store answers <see cref="IProfileShareStore.PingAsync"/>.</summary>
internal sealed class StoreHealthCheck(IProfileShareStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.PingAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The store ({store.GetType().Name}) answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception type only: a store's message may quote keys or statements.
            return new HealthCheckResult(context.Registration.FailureStatus, $"The store ({store.GetType().Name}) is unreachable: {ex.GetType().Name}.");
        }
    }
}
