using System.Net;
using Abdm.ProfileShare.AspNetCore.Tests.Endpoints;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Abdm.ProfileShare.AspNetCore.Tests.Diagnostics;

/// <summary>A gateway outage across outbox retries: one error when it starts, one information when it ends.</summary>
public sealed class GatewayOutageLogTests
{
    private const string OnShareV05 = "/v0.5/patients/profile/on-share";
    private const int FailedAttempts = 4;

    [Fact]
    public async Task OnShare_GatewayDownForNRetries_OneErrorOneRecoveryInformationRetriesAtDebug()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual,
            b => b.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging());
        using var recorder = new TelemetryRecorder(host.App.Services.GetRequiredService<AbdmMetrics>().Meter);
        host.Gateway.FailOnShareWith = 503;

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await host.Gateway.WaitForAsync(c => c.Path == OnShareV05 && c.Status == 503);
        for (var failed = 2; failed <= FailedAttempts; failed++)
        {
            var n = failed;
            await AdvanceUntilAsync(host, () => host.Gateway.WaitForAsync(_ => host.Gateway.CallsTo(OnShareV05).Count(c => c.Status == 503) >= n, TimeSpan.FromMilliseconds(500)));
        }

        host.Gateway.FailOnShareWith = 0;
        await AdvanceUntilAsync(host, () => host.Gateway.WaitForAsync(c => c.Path == OnShareV05 && c.Status == 202, TimeSpan.FromMilliseconds(500)));
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await host.WaitForEntryAsync(entry.Id, e => e.Acknowledgement == AcknowledgementState.Delivered);

        var failures = host.Gateway.CallsTo(OnShareV05).Count(c => c.Status == 503);
        var logs = host.App.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        var error = Assert.Single(logs, l => l.Level >= LogLevel.Error);
        Assert.Equal(1100, error.Id.Id);
        Assert.Contains("ABDM gateway", error.Message, StringComparison.Ordinal);
        var recovery = Assert.Single(logs, l => l.Id.Id == 1101);
        Assert.Equal(LogLevel.Information, recovery.Level);
        Assert.Contains($"{failures} failed attempt(s)", recovery.Message, StringComparison.Ordinal);
        var retries = logs.Where(l => l.Id.Id == 1303).ToList();
        Assert.True(failures == retries.Count, $"{failures} failures, {retries.Count} retries logged: " + string.Join(", ", logs.Select(l => $"{l.Id.Id}/{l.Level}")));
        Assert.All(retries, r => Assert.Equal(LogLevel.Debug, r.Level));
        Assert.DoesNotContain(logs, l => l.Level == LogLevel.Warning && l.Id.Id is 1011 or 1012 or 1303);

        Assert.Equal(failures, recorder.Sum("abdm.outbox.retries", ("abdm.outbox.kind", "on_share")));
        Assert.Equal(failures, recorder.Measurements("abdm.gateway.call.duration").Count(m => m.Tag("abdm.outcome") == "unavailable" && m.Tag("abdm.error_code") == "2500"));
        Assert.Equal(1, recorder.Measurements("abdm.gateway.call.duration").Count(m => m.Tag("abdm.outcome") == "success"));
    }

    /// <summary>Moves fake time forward in steps, waking the outbox each time, until <paramref name="probe"/> succeeds.</summary>
    private static async Task AdvanceUntilAsync<T>(ProfileShareTestHost host, Func<Task<T>> probe, int maxSteps = 30)
    {
        var signal = host.App.Services.GetRequiredService<OutboxSignal>();
        for (var i = 0; ; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(5));
            signal.Notify();
            try
            {
                await probe();
                return;
            }
            catch (TimeoutException) when (i < maxSteps)
            {
            }
        }
    }
}
