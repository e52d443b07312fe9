using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Tests.Endpoints;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Diagnostics;

/// <summary>The full flow seen through its telemetry: one trace per queue entry, its spans in order, the metrics.</summary>
public sealed class TelemetryFlowTests
{
    private const string Name = "Synthetic Kavya Testpatient";
    private const string Abha = "91-0000-1111-2222";
    private const string Phr = "kavya.synthetic@sbx";
    private const string Mobile = "+91-9000000017";
    private const string OnShareV05 = "/v0.5/patients/profile/on-share";

    private static readonly string[] ExpectedSpans =
    [
        "abdm.share.receive", "abdm.share.persist", "abdm.on_share.send",
        "abdm.auth_init.send", "abdm.on_init.receive", "abdm.on_init.persist",
        "abdm.auth_confirm.send", "abdm.on_confirm.receive", "abdm.on_confirm.persist",
        "abdm.linking.notify",
    ];

    [Fact]
    public async Task FullFlow_SpansOfOneTraceInOrderWithTagsAndMetricsCounted_NoPatientData()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        var metrics = host.App.Services.GetRequiredService<AbdmMetrics>();
        using var recorder = new TelemetryRecorder(metrics.Meter);
        host.Gateway.Patients[Phr] = (Name, "F", "1990-01-01");
        var shareId = Guid.NewGuid();

        using var response = await host.ShareAsync(SyntheticShare(shareId));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        var traceId = AbdmProfileShareTelemetry.GetTraceId(entry.Id);
        Assert.Equal(entry.Id.ToString("N"), traceId.ToHexString());
        await WaitForSpansAsync(recorder, traceId, ExpectedSpans); // steps of different tasks may end in any order
        await host.Gateway.WaitForAsync(c => c.Method == "CALLBACK" && c.Path == "/v0.5/users/auth/on-init"); // answered: counted
        await host.Gateway.WaitForAsync(c => c.Method == "CALLBACK" && c.Path == "/v0.5/users/auth/on-confirm");

        // One trace, the steps in the order they happened.
        var spans = recorder.Spans(traceId);
        Assert.Equal(ExpectedSpans, spans.Select(s => s.OperationName).ToArray());
        var span = spans.ToDictionary(s => s.OperationName);
        Assert.All(spans, s => Assert.Equal(entry.Id.ToString(), Tag(s, "abdm.entry_id")));
        Assert.All(spans, s => Assert.Equal(ActivityKind.Internal, s.Kind));
        Assert.All(spans.Where(s => !s.OperationName.EndsWith(".persist", StringComparison.Ordinal)), s => Assert.Equal(default, s.ParentSpanId));
        Assert.Equal(span["abdm.share.receive"].SpanId, span["abdm.share.persist"].ParentSpanId);
        Assert.Equal(span["abdm.on_init.receive"].SpanId, span["abdm.on_init.persist"].ParentSpanId);
        Assert.Equal(span["abdm.on_confirm.receive"].SpanId, span["abdm.on_confirm.persist"].ParentSpanId);
        Assert.All(spans, s => Assert.True(s.Duration >= TimeSpan.Zero));

        // Callbacks link to the HTTP request that carried them; outbox steps run off any request.
        var requests = recorder.AspNetCoreSpans.Select(a => a.SpanId).ToHashSet();
        foreach (var received in new[] { "abdm.share.receive", "abdm.on_init.receive", "abdm.on_confirm.receive" })
        {
            var link = Assert.Single(span[received].Links);
            Assert.Contains(link.Context.SpanId, requests);
            Assert.NotEqual(traceId, link.Context.TraceId);
        }

        Assert.All(spans.Where(s => s.OperationName.EndsWith(".send", StringComparison.Ordinal) || s.OperationName.StartsWith("abdm.linking", StringComparison.Ordinal)),
            s => Assert.Empty(s.Links));

        // Tags: ids, HIP, counter, version, outcomes.
        var onShare = Assert.Single(host.Gateway.CallsTo(OnShareV05));
        var init = Assert.Single(host.Gateway.CallsTo("/v0.5/users/auth/init"));
        var confirm = Assert.Single(host.Gateway.CallsTo("/v0.5/users/auth/confirm"));
        AssertTags(span["abdm.share.receive"], ("abdm.request_id", shareId.ToString()), ("abdm.hip_id", ProfileShareTestHost.HipId),
            ("abdm.counter", entry.CounterCode), ("abdm.wire_version", "v0.5"), ("abdm.outcome", "created"));
        AssertTags(span["abdm.share.persist"], ("abdm.outcome", "created"));
        AssertTags(span["abdm.on_share.send"], ("abdm.request_id", onShare.Get("requestId")), ("abdm.hip_id", ProfileShareTestHost.HipId),
            ("abdm.counter", entry.CounterCode), ("abdm.wire_version", "v0.5"), ("abdm.outcome", "success"), ("abdm.outbox.attempt", "1"));
        AssertTags(span["abdm.auth_init.send"], ("abdm.request_id", init.Get("requestId")), ("abdm.outcome", "sent"), ("abdm.hip_id", ProfileShareTestHost.HipId));
        AssertTags(span["abdm.on_init.receive"], ("abdm.request_id", init.Get("requestId")), ("abdm.outcome", "awaiting_token"));
        AssertTags(span["abdm.on_init.persist"], ("abdm.outcome", "awaiting_token"));
        AssertTags(span["abdm.auth_confirm.send"], ("abdm.request_id", confirm.Get("requestId")), ("abdm.outcome", "sent"));
        AssertTags(span["abdm.on_confirm.receive"], ("abdm.request_id", confirm.Get("requestId")), ("abdm.outcome", "linked"), ("abdm.hip_id", ProfileShareTestHost.HipId));
        AssertTags(span["abdm.on_confirm.persist"], ("abdm.outcome", "linked"));
        AssertTags(span["abdm.linking.notify"], ("abdm.outcome", "linked"));
        Assert.All(spans, s => Assert.NotEqual(ActivityStatusCode.Error, s.Status));

        // No patient data, no token anywhere in a span.
        var linkingToken = (await host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, Phr))!.Token;
        AssertNoPatientData(spans, linkingToken);

        // Metrics.
        Assert.Equal(1, recorder.Sum("abdm.shares.received", ("abdm.wire_version", "v0.5")));
        Assert.Equal(1, recorder.Sum("abdm.shares.accepted", ("abdm.hip_id", ProfileShareTestHost.HipId), ("abdm.wire_version", "v0.5"), ("abdm.outcome", "created")));
        Assert.Equal(1, recorder.Sum("abdm.shares.accepted"));
        Assert.Empty(recorder.Measurements("abdm.shares.rejected"));
        Assert.Equal(1, recorder.Sum("abdm.callbacks.received", ("abdm.callback", "on_init"), ("abdm.outcome", "applied")));
        Assert.Equal(1, recorder.Sum("abdm.callbacks.received", ("abdm.callback", "on_confirm"), ("abdm.outcome", "applied")));
        Assert.Equal(2, recorder.Sum("abdm.callbacks.received"));
        var calls = recorder.Measurements("abdm.gateway.call.duration");
        Assert.Equal(["auth_confirm", "auth_init", "on_share"], calls.Select(c => c.Tag("abdm.operation") ?? "").Order(StringComparer.Ordinal).ToArray());
        Assert.All(calls, c => Assert.Equal("success", c.Tag("abdm.outcome")));
        Assert.All(calls, c => Assert.InRange(c.Value, 0, 10));
        var acknowledged = Assert.Single(recorder.Measurements("abdm.share.acknowledgement.duration"));
        Assert.Equal("success", acknowledged.Tag("abdm.outcome"));
        Assert.Equal(0, acknowledged.Value); // the fake clock did not move between the share and its on-share
        Assert.Equal(1, recorder.Sum("abdm.linking.chains", ("abdm.hip_id", ProfileShareTestHost.HipId), ("abdm.outcome", "linked")));
        Assert.Equal(1, recorder.Sum("abdm.linking.chains"));
        Assert.Equal(1, recorder.Sum("abdm.gateway.session.refreshes", ("abdm.outcome", "success")));
        Assert.Empty(recorder.Measurements("abdm.outbox.retries"));
        Assert.All(recorder.Measurements("abdm.shares.accepted").Concat(recorder.Measurements("abdm.linking.chains")),
            m => Assert.DoesNotContain(m.Tags.Values, v => v?.ToString()?.Contains(Phr, StringComparison.OrdinalIgnoreCase) == true));

        // Gauges: the processor's latest statistics read and queue count (no store call when observed).
        var (backlog, age, queue) = await ObserveGaugesAsync(host, metrics, recorder);
        var statistics = await host.Store.GetOutboxStatisticsAsync();
        // The callback-timeout timers, not yet due: one per linking call whose callback came after the outbox recorded
        // the call (a callback that overtakes it leaves no timer to arm): two, or fewer on a loaded machine.
        Assert.InRange(statistics.Pending, 0, 2);
        Assert.Equal(statistics.Pending, backlog);
        Assert.Equal(statistics.OldestCreatedAt is { } oldest ? (host.Time.GetUtcNow() - oldest).TotalSeconds : 0, age);
        var length = Assert.Single(queue);
        Assert.Equal(1, length.Value);
        Assert.Equal(ProfileShareTestHost.HipId, length.Tag("abdm.hip_id"));
        Assert.Equal(entry.CounterCode, length.Tag("abdm.counter"));
    }

    [Fact]
    public async Task DemographicMismatch_SpansAndMetricsCarryGatewayError1441()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        var metrics = host.App.Services.GetRequiredService<AbdmMetrics>();
        using var recorder = new TelemetryRecorder(metrics.Meter);
        host.Gateway.Patients[Phr] = ("Synthetic Other Name", "F", "1990-01-01");

        using var response = await host.ShareAsync(SyntheticShare(Guid.NewGuid()));

        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        var traceId = AbdmProfileShareTelemetry.GetTraceId(entry.Id);
        var notify = await recorder.WaitForSpanAsync(a => a.TraceId == traceId && a.OperationName == "abdm.linking.notify");
        Assert.Equal("failed", Tag(notify, "abdm.outcome"));
        var confirmed = await recorder.WaitForSpanAsync(a => a.TraceId == traceId && a.OperationName == "abdm.on_confirm.receive");
        AssertTags(confirmed, ("abdm.outcome", "failed"), ("abdm.error_code", "1441"));
        Assert.Equal(1, recorder.Sum("abdm.linking.chains", ("abdm.outcome", "failed"), ("abdm.error_code", "1441"), ("abdm.hip_id", ProfileShareTestHost.HipId)));
        Assert.Equal(0, recorder.Sum("abdm.linking.chains", ("abdm.outcome", "linked")));
        AssertNoPatientData(recorder.Spans(traceId), null);
    }

    [Fact]
    public async Task OnInitNeverArrives_TimeoutSpanAndTimedOutChainCounted()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        var metrics = host.App.Services.GetRequiredService<AbdmMetrics>();
        using var recorder = new TelemetryRecorder(metrics.Meter);
        host.Gateway.DropOnInit = true;

        using var response = await host.ShareAsync(SyntheticShare(Guid.NewGuid()));

        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        var traceId = AbdmProfileShareTelemetry.GetTraceId(entry.Id);
        await recorder.WaitForSpanAsync(a => a.TraceId == traceId && a.OperationName == "abdm.auth_init.send");
        var signal = host.App.Services.GetRequiredService<OutboxSignal>();
        Activity? notified = null;
        for (var step = 0; notified is null; step++)
        {
            host.Time.Advance(TimeSpan.FromMinutes(1));
            signal.Notify();
            try
            {
                notified = await recorder.WaitForSpanAsync(a => a.TraceId == traceId && a.OperationName == "abdm.linking.notify", TimeSpan.FromMilliseconds(500));
            }
            catch (TimeoutException) when (step < 10)
            {
            }
        }

        Assert.Equal("timed_out", Tag(notified, "abdm.outcome"));
        var timeout = await recorder.WaitForSpanAsync(a => a.TraceId == traceId && a.OperationName == "abdm.linking.timeout");
        Assert.Single(recorder.Spans(traceId), s => s.OperationName == "abdm.linking.timeout");
        Assert.Equal("timed_out", Tag(timeout, "abdm.outcome"));
        Assert.Equal(1, recorder.Sum("abdm.linking.chains", ("abdm.outcome", "timed_out"), ("abdm.hip_id", ProfileShareTestHost.HipId)));
        Assert.DoesNotContain(recorder.Spans(traceId), s => s.OperationName == "abdm.on_init.receive");
    }

    internal static JsonObject SyntheticShare(Guid shareId)
    {
        var share = ProfileShareTestHost.SeedShare(shareId, healthId: Phr, name: Name);
        var patient = share["profile"]!["patient"]!;
        patient["healthIdNumber"] = Abha;
        patient["yearOfBirth"] = 1990;
        patient["monthOfBirth"] = 1;
        patient["dayOfBirth"] = 1;
        patient["identifiers"] = new JsonArray(new JsonObject { ["type"] = "MOBILE", ["value"] = Mobile });
        return share;
    }

    private static async Task WaitForSpansAsync(TelemetryRecorder recorder, ActivityTraceId traceId, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            await recorder.WaitForSpanAsync(a => a.TraceId == traceId && a.OperationName == name);
        }
    }

    internal static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    private static void AssertTags(Activity activity, params (string Name, string? Value)[] expected)
    {
        foreach (var (name, value) in expected)
        {
            Assert.True(value == Tag(activity, name), $"{activity.OperationName}: {name} is '{Tag(activity, name)}', expected '{value}'.");
        }
    }

    private static void AssertNoPatientData(IEnumerable<Activity> spans, string? linkingToken)
    {
        var forbidden = new List<string> { Name, "Kavya", Abha, "91000011112222", Phr, "kavya.synthetic", Mobile, "9000000017", FakeGateway.SessionToken, "test-secret-value" };
        if (linkingToken is not null)
        {
            forbidden.Add(linkingToken);
        }

        foreach (var span in spans)
        {
            var text = string.Join("\n", new[] { span.OperationName, span.DisplayName, span.StatusDescription }
                .Concat(span.TagObjects.Select(t => t.Key + "=" + t.Value))
                .Concat(span.Events.SelectMany(e => e.Tags.Select(t => t.Key + "=" + t.Value).Prepend(e.Name)))
                .Concat(span.Links.SelectMany(l => l.Tags?.Select(t => t.Key + "=" + t.Value) ?? []))
                .Concat(span.Baggage.Select(b => b.Key + "=" + b.Value)));
            foreach (var value in forbidden)
            {
                Assert.False(text.Contains(value, StringComparison.OrdinalIgnoreCase), $"Span {span.OperationName} contains protected data.");
            }
        }
    }

    /// <summary>
    /// Moves the fake clock past the queue gauge's refresh age, wakes the outbox and waits for both the next queue count
    /// and the next outbox statistics read, until the backlog gauge shows what the store holds (an item may complete
    /// just after a statistics read).
    /// </summary>
    private static async Task<(double Backlog, double Age, IReadOnlyList<RecordedMeasurement> Queue)> ObserveGaugesAsync(ProfileShareTestHost host, AbdmMetrics metrics, TelemetryRecorder recorder)
    {
        var signal = host.App.Services.GetRequiredService<OutboxSignal>();
        for (var attempt = 0; ; attempt++)
        {
            // The queue gauge is counted by the queue-length monitor, the outbox gauges by the pump's statistics read:
            // two services, so wait for both.
            var refreshed = metrics.NextQueueRefresh;
            var outboxRead = metrics.NextOutboxRefresh;
            host.Time.Advance(TimeSpan.FromSeconds(31));
            signal.Notify();
            await Task.WhenAll(refreshed, outboxRead).WaitAsync(TimeSpan.FromSeconds(10));
            var backlog = Assert.Single(recorder.Observe("abdm.outbox.backlog")).Value;
            if (backlog == (await host.Store.GetOutboxStatisticsAsync()).Pending || attempt == 2)
            {
                return (backlog, Assert.Single(recorder.Observe("abdm.outbox.oldest_pending.age")).Value, recorder.Observe("abdm.queue.length"));
            }
        }
    }
}
