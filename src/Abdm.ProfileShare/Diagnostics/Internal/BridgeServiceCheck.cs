using System.Globalization;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>What the bridge-services listing says about the configured HIP ids.</summary>
/// <param name="Listed">Whether the gateway answered the listing.</param>
/// <param name="Missing">Configured HIP ids that are not among the bridge's services, each with the service id to use instead when one looks like it (the HFR id configured where its <c>_n</c> service id belongs).</param>
/// <param name="ServiceCount">How many services the bridge lists.</param>
/// <param name="Failure">Why the listing failed, when it did (no secrets: the operation and the HTTP status).</param>
internal sealed record BridgeServiceReport(bool Listed, IReadOnlyList<(string HipId, string? Suggestion)> Missing, int ServiceCount, string? Failure);

/// <summary>
/// On v3, <c>X-HIP-ID</c> is the bridge service id (<c>IN1410000232_1</c>), not the HFR facility id, and a call with the
/// wrong one is accepted with 202 while its callback never arrives. This lists the bridge's services
/// (<c>GET /api/hiecm/gateway/v3/bridge-services</c>) and reports each configured HIP id that is not among them. The
/// listing is cached (10 minutes; 1 minute after a failure) so health probes do not call the gateway each time.
/// </summary>
internal sealed class BridgeServiceCheck : IDisposable
{
    private static readonly TimeSpan Fresh = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);

    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (BridgeServiceReport Report, DateTimeOffset Until)? _cached;

    public BridgeServiceCheck(IServiceProvider services, IOptionsMonitor<AbdmProfileShareOptions> options, TimeProvider time)
    {
        _services = services;
        _options = options;
        _time = time;
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Whether the check applies: only the v3 gateway routes on bridge service ids.</summary>
    public bool Applies => _options.CurrentValue.WireVersion == WireVersion.V3;

    public async Task<BridgeServiceReport> CheckAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } cached && cached.Until > _time.GetUtcNow())
            {
                return cached.Report;
            }

            var report = await ListAsync(cancellationToken).ConfigureAwait(false);
            _cached = (report, _time.GetUtcNow() + (report.Listed ? Fresh : RetryAfterFailure));
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<BridgeServiceReport> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<BridgeService> services;
        try
        {
            using var scope = _services.CreateScope();
            services = await scope.ServiceProvider.GetRequiredService<IAbdmGatewayClient>().GetBridgeServicesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AbdmGatewayException ex)
        {
            var status = ex.StatusCode is { } code ? string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)code}") : "no answer";
            return new BridgeServiceReport(false, [], 0, $"{ex.Operation}: {status}");
        }

        var ids = services.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var missing = _options.CurrentValue.HipIds
            .Where(hip => !ids.Contains(hip))
            .Select(hip => (hip, services.Select(s => s.Id).FirstOrDefault(id => id.StartsWith(hip + "_", StringComparison.Ordinal))))
            .ToList();
        return new BridgeServiceReport(true, missing, services.Count, null);
    }

    /// <summary>The report in words, naming the configuration key to change.</summary>
    public static string Describe(BridgeServiceReport report)
    {
        if (!report.Listed)
        {
            return $"The gateway's bridge-services listing could not be read ({report.Failure}); the configured HIP ids are unchecked.";
        }

        if (report.Missing.Count == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Every configured HIP id is one of the bridge's {report.ServiceCount} service id(s).");
        }

        var each = report.Missing.Select(m => m.Suggestion is null
            ? $"'{m.HipId}' is not a service of this bridge"
            : $"'{m.HipId}' is not a service of this bridge; did you mean its service id '{m.Suggestion}'?");
        return $"{string.Join("; ", each)}. On v3, {AbdmProfileShareOptions.SectionName}:HipIds must list bridge service ids: the gateway accepts a call with another id (202) and never sends its callback.";
    }
}

/// <summary>The <c>abdm_bridge_services</c> health check: degraded when the listing cannot be read, failing when a configured HIP id is not a service of the bridge.</summary>
internal sealed class BridgeServicesHealthCheck(BridgeServiceCheck check) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!check.Applies)
        {
            return HealthCheckResult.Healthy("The v0.5/v1.0 gateway routes on the HIP id itself: nothing to check.");
        }

        var report = await check.CheckAsync(cancellationToken).ConfigureAwait(false);
        var description = BridgeServiceCheck.Describe(report);
        var data = new Dictionary<string, object> { ["services"] = report.ServiceCount, ["missing"] = report.Missing.Count };
        return !report.Listed ? HealthCheckResult.Degraded(description, data: data)
            : report.Missing.Count > 0 ? new HealthCheckResult(context.Registration.FailureStatus, description, data: data)
            : HealthCheckResult.Healthy(description, data);
    }
}

/// <summary>Logs the bridge-services check once after start (v3 only), without delaying the host's start or failing it.</summary>
internal sealed class BridgeServiceStartupLog(BridgeServiceCheck check, ILogger<BridgeServiceStartupLog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!check.Applies)
        {
            return;
        }

        try
        {
            var report = await check.CheckAsync(stoppingToken).ConfigureAwait(false);
            var description = BridgeServiceCheck.Describe(report);
            if (report.Listed && report.Missing.Count == 0)
            {
                Log.BridgeServicesChecked(logger, description);
            }
            else
            {
                Log.BridgeServicesProblem(logger, description);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.BridgeServicesProblem(logger, $"The bridge-services check failed: {ex.GetType().Name}.");
        }
    }
}
