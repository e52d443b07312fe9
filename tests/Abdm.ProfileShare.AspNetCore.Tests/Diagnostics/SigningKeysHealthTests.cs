using System.Net;
using Abdm.ProfileShare.AspNetCore.Tests.Security;
using Abdm.ProfileShare.Diagnostics.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Abdm.ProfileShare.AspNetCore.Tests.Diagnostics;

/// <summary>The JWKS health check follows the callback signing-key cache's state without fetching.</summary>
public sealed class SigningKeysHealthTests
{
    private const string Check = AbdmProfileShareHealthCheckBuilderExtensions.SigningKeysCheckName;

    [Fact]
    public async Task JwksCheck_KeysUnavailableThenFetched_UnhealthyThenHealthy()
    {
        await using var app = await ProbeApp.StartAsync(services: s => s.AddAbdmProfileShare().AddHealthChecks());
        using var recorder = new TelemetryRecorder(app.App.Services.GetRequiredService<AbdmMetrics>().Meter);

        var initial = await CheckAsync(app);
        Assert.Equal(HealthStatus.Healthy, initial.Status);
        Assert.Equal(0, app.Jwks.Fetches); // a probe never fetches

        app.Jwks.Down = true;
        using (var refused = await app.PostAsync(app.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        var down = await CheckAsync(app);
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("No usable gateway signing keys", down.Description, StringComparison.Ordinal);
        Assert.Equal("HttpRequestException", down.Data["last_failure"]);
        Assert.Equal(1, app.Jwks.Fetches);

        app.Jwks.Down = false;
        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);
        using (var accepted = await app.PostAsync(app.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var up = await CheckAsync(app);
        Assert.Equal(HealthStatus.Healthy, up.Status);
        Assert.Equal(1, up.Data["key_count"]);
        Assert.Equal(1, recorder.Sum("abdm.jwks.fetches", ("abdm.outcome", "failure"), ("abdm.reason", "unreachable")));
        Assert.Equal(1, recorder.Sum("abdm.jwks.fetches", ("abdm.outcome", "success")));
    }

    [Fact]
    public async Task JwksCheck_RefreshFailsWhileKnownKeysServe_DegradedThenHealthyAfterARefresh()
    {
        await using var app = await ProbeApp.StartAsync(services: s => s.AddAbdmProfileShare().AddHealthChecks());
        using (var first = await app.PostAsync(app.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        app.Jwks.FailWith = HttpStatusCode.ServiceUnavailable;
        app.Time.Advance(app.Callbacks.KeysRefreshInterval);
        using (var stale = await app.PostAsync(app.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.Accepted, stale.StatusCode);
        }

        await app.Jwt.Keys.PendingFetch.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(app)).Status);

        app.Jwks.FailWith = null;
        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);
        using (var refreshed = await app.PostAsync(app.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.Accepted, refreshed.StatusCode);
        }

        await app.Jwt.Keys.PendingFetch.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(app)).Status);
    }

    [Fact]
    public async Task JwksCheck_AuthenticationCreated_ReportsTheCacheUnderTheRegistrationsTagsAndFailureStatus()
    {
        await using var app = await ProbeApp.StartAsync(services: s => s.AddAbdmProfileShare().AddHealthChecks(o =>
        {
            o.Tags.Clear();
            o.Tags.Add("ready");
        }));
        var registrations = app.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        var registration = Assert.Single(registrations, r => r.Name == Check);
        var entry = await CheckAsync(app);

        Assert.Equal(["ready"], registration.Tags);
        Assert.Equal(HealthStatus.Unhealthy, registration.FailureStatus);
        Assert.Equal(["ready"], entry.Tags);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("The gateway signing keys are fetched when the first callback arrives.", entry.Description);
        Assert.Equal(app.Jwt.Keys.CertsUrl.ToString(), entry.Data["certs_url"]);
    }

    private static async Task<HealthReportEntry> CheckAsync(ProbeApp app)
    {
        var report = await app.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == Check);
        return report.Entries[Check];
    }
}
