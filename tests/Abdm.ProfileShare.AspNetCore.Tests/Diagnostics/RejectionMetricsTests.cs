using System.Diagnostics.Metrics;
using System.Net;
using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Endpoints.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Tests.Endpoints;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Diagnostics;

public sealed class RejectionMetricsTests
{
    [Fact]
    public async Task Meter_CoreAndEndpoints_OneMeterAndOneInstrumentPerName()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var core = host.App.Services.GetRequiredService<AbdmMetrics>().Meter;
        var endpoints = CallbackMetrics.For(host.App.Services.GetRequiredService<IMeterFactory>()).Meter;
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, core))
                {
                    published.Add(instrument);
                }
            },
        };
        listener.Start();

        Assert.Same(core, endpoints);
        Assert.Equal(AbdmProfileShareTelemetry.Name, endpoints.Name);
        Assert.False(string.IsNullOrEmpty(endpoints.Version));
        Assert.Equal(published.Count, published.Select(i => i.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Single(published, i => i.Name == "abdm.shares.rejected");
        Assert.Contains(published, i => i.Name == "abdm.callbacks.received");
        Assert.Contains(published, i => i.Name == "abdm.outbox.retries");
    }

    [Fact]
    public async Task Shares_RefusedAtTheDoorOrByTheHost_CountedByReasonWithoutUnknownHipIds()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual, b => b.AddProfileShareHandler<RejectingHandler>());
        using var recorder = new TelemetryRecorder(host.App.Services.GetRequiredService<AbdmMetrics>().Meter);

        host.Gateway.CallbackToken = "Bearer forged-token";
        using (var forged = await host.ShareAsync(ProfileShareTestHost.SeedShare()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        using (var forgedOnInit = await host.Gateway.PostToHipAsync("/v0.5/users/auth/on-init", new JsonObject { ["requestId"] = Guid.NewGuid().ToString() }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forgedOnInit.StatusCode);
        }

        host.Gateway.CallbackToken = "Bearer test-gateway-token";
        using (var unknown = await host.ShareAsync(ProfileShareTestHost.SeedShare(), hipId: "HIP-NOT-SERVED-BY-THIS-HOST"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        var invalidShare = ProfileShareTestHost.SeedShare();
        invalidShare["profile"]!["patient"]!["healthId"] = "";
        using (var invalid = await host.ShareAsync(invalidShare, "/v1.0/patients/profile/share"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        var shareId = Guid.NewGuid();
        using (var accepted = await host.ShareAsync(ProfileShareTestHost.SeedShare(shareId)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var failure = await host.Gateway.WaitForAsync(c => c.Path == "/v0.5/patients/profile/on-share");
        Assert.Equal("FAILURE", failure.Get("acknowledgement", "status"));

        Assert.Equal(4, recorder.Sum("abdm.shares.received"));
        Assert.Equal(1, recorder.Sum("abdm.shares.received", ("abdm.wire_version", "v1.0")));
        var rejected = recorder.Measurements("abdm.shares.rejected");
        Assert.Equal(["host_rejected", "invalid", "unauthorized", "unknown_hip"], rejected.Select(m => m.Tag("abdm.reason") ?? "").Order(StringComparer.Ordinal).ToArray());
        Assert.Null(Assert.Single(rejected, m => m.Tag("abdm.reason") == "unauthorized").Tag("abdm.hip_id"));
        Assert.Null(Assert.Single(rejected, m => m.Tag("abdm.reason") == "unknown_hip").Tag("abdm.hip_id"));
        Assert.Equal(ProfileShareTestHost.HipId, Assert.Single(rejected, m => m.Tag("abdm.reason") == "host_rejected").Tag("abdm.hip_id"));
        Assert.Equal("v1.0", Assert.Single(rejected, m => m.Tag("abdm.reason") == "invalid").Tag("abdm.wire_version"));
        Assert.DoesNotContain(recorder.Measurements("abdm.shares.rejected").Concat(recorder.Measurements("abdm.shares.received")),
            m => m.Tags.Values.Any(v => v?.ToString()?.Contains("NOT-SERVED", StringComparison.Ordinal) == true));
        Assert.Equal(1, recorder.Sum("abdm.shares.accepted", ("abdm.outcome", "created")));
        Assert.Equal(1, recorder.Sum("abdm.callbacks.received", ("abdm.callback", "on_init"), ("abdm.outcome", "unauthorized")));

        // The acknowledgement is measured right after the gateway accepted it: wait for its span (this entry's trace:
        // the listener also sees the spans of tests running in parallel).
        var received = await recorder.WaitForSpanAsync(a => a.OperationName == "abdm.share.receive" && TelemetryFlowTests.Tag(a, "abdm.request_id") == shareId.ToString());
        var sent = await recorder.WaitForSpanAsync(a => a.OperationName == "abdm.on_share.send" && a.TraceId == received.TraceId);
        Assert.Equal("failure", TelemetryFlowTests.Tag(sent, "abdm.outcome"));
        var acknowledgement = Assert.Single(recorder.Measurements("abdm.share.acknowledgement.duration"));
        Assert.Equal("failure", acknowledgement.Tag("abdm.outcome"));
    }

    private sealed class RejectingHandler : IProfileShareHandler
    {
        public ValueTask<ShareDecision> OnShareReceivedAsync(QueueEntry entry, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ShareDecision.Reject("Synthetic: registration is closed for today."));
    }
}
