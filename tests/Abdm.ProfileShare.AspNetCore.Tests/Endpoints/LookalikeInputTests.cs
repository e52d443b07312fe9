using System.Net;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Tests.Endpoints;
using Abdm.ProfileShare.AspNetCore.Tests.Diagnostics;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>Input that looks the same but is not: hidden characters, decomposed letters, lookalike addresses, a reused requestId.</summary>
public sealed class LookalikeInputTests
{
    private const string V3SharePath = "/api/v3/hip/patient/share";

    [Fact]
    public async Task Share_NameAndAddressWithBidiOverrideAndZeroWidth_StoredWithout()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var share = ProfileShareTestHost.SeedShare(name: "Jane \u202EeoD\u202C\u200B");
        share["profile"]!["patient"]!["address"]!["line"] = "\u2066221B\u2069 Test\u200F Street";

        using var response = await host.ShareAsync(share);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal("Jane eoD", entry.Profile.Name);
        Assert.Equal("221B Test Street", entry.Profile.Address!.Line);
        Assert.Equal("Jane eoD", (await host.Store.GetEntryAsync(entry.Id))!.Profile.Name);
        await AcknowledgedAsync(host, entry.Id);
    }

    [Fact]
    public async Task Share_DecomposedAccentInName_StoredComposed()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare(name: "Rene\u0301e Test"), "/v1.0/patients/profile/share");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal("Ren\u00E9e Test", entry.Profile.Name);
        await AcknowledgedAsync(host, entry.Id);
    }

    [Fact]
    public async Task Share_NameOfOnlyBidiCharacters_AnsweredAsProfileWithoutName()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var changes = host.Store.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var added = changes.MoveNextAsync().AsTask();

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare(name: "\u202E\u202C"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(await added);
        var entryId = changes.Current.EntryId;
        var onShare = await host.Gateway.WaitForAsync(c => c.Path == "/v0.5/patients/profile/on-share");
        Assert.Equal("FAILURE", onShare.Get("acknowledgement", "status"));
        Assert.Contains("no name", onShare.Get("error", "message"), StringComparison.Ordinal);
        Assert.Equal("", (await host.Store.GetEntryAsync(entryId))!.Profile.Name);
        await AcknowledgedAsync(host, entryId);
        await stop.CancelAsync();
        await changes.DisposeAsync();
    }

    [Theory]
    [InlineData("/v0.5/patients/profile/share", "k\u0131ran@sbx")]
    [InlineData("/v0.5/patients/profile/share", "\u017Fam@sbx")]
    [InlineData("/v1.0/patients/profile/share", "k\u0131ran@sbx")]
    [InlineData("/v0.5/patients/profile/share", "kiran@sbx\u202E")]
    public async Task Share_NonAsciiHealthId_400NamingTheField(string path, string healthId)
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var share = ProfileShareTestHost.SeedShare(healthId: healthId);
        if (path.StartsWith("/v1.0", StringComparison.Ordinal))
        {
            share["intent"] = new JsonObject { ["type"] = "PROFILE_SHARE" };
            share["location"] = new JsonObject { ["latitude"] = "12.97", ["longitude"] = "77.71" };
        }

        using var response = await host.ShareAsync(share, path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(400, error["code"]!.GetValue<int>());
        Assert.StartsWith("profile.patient.healthId must be a PHR address name@suffix", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Fact]
    public async Task V3Share_DotlessIAbhaAddress_400Abdm1006NamingTheField()
    {
        var (host, gateway) = await StartV3Async();
        await using var _ = host;

        using var response = await gateway.PostToHipAsync(V3SharePath, V3Share("k\u0131ran@sbx"), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("ABDM-1006", error["code"]!.GetValue<string>());
        Assert.StartsWith("profile.patient.abhaAddress must be an ABHA address name@suffix", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Fact]
    public async Task V3Share_BidiOverrideInName_StoredWithout()
    {
        var (host, gateway) = await StartV3Async();
        await using var _ = host;
        var share = V3Share("test.v3@sbx");
        share["profile"]!["patient"]!["name"] = "Jane\u202E Doe";

        using var response = await gateway.PostToHipAsync(V3SharePath, share, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal("Jane Doe", entry.Profile.Name);
        await AcknowledgedAsync(host, entry.Id);
    }

    [Fact]
    public async Task Share_SameRequestIdDifferentBody_Same202WarningLoggedConflictCounted()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual, b => b.Services.AddFakeLogging());
        using var recorder = new TelemetryRecorder(host.App.Services.GetRequiredService<AbdmMetrics>().Meter);
        var requestId = Guid.NewGuid();
        const string otherName = "Synthetic Otherpatient Name";

        using var first = await host.ShareAsync(ProfileShareTestHost.SeedShare(requestId));
        using var same = await host.ShareAsync(ProfileShareTestHost.SeedShare(requestId));
        using var different = await host.ShareAsync(ProfileShareTestHost.SeedShare(requestId, name: otherName));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, same.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, different.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal("Jane Doe", entry.Profile.Name);
        Assert.Equal(1, entry.ScanCount);
        Assert.Equal(requestId, entry.LatestShareRequestId);

        Assert.Equal(2, recorder.Sum("abdm.shares.accepted", ("abdm.outcome", "duplicate")));
        var conflict = Assert.Single(recorder.Measurements("abdm.shares.conflicts"));
        Assert.Equal(ProfileShareTestHost.HipId, conflict.Tag("abdm.hip_id"));
        Assert.Equal("v0.5", conflict.Tag("abdm.wire_version"));

        var records = host.App.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        var warning = Assert.Single(records, r => r.Id.Id == 1203);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(requestId.ToString(), warning.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Otherpatient", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("test@sbx", warning.Message, StringComparison.Ordinal);
        await AcknowledgedAsync(host, entry.Id);
    }

    [Fact]
    public async Task V3Share_SameRequestIdDifferentBody_Same200ConflictCounted()
    {
        var (host, gateway) = await StartV3Async();
        await using var _ = host;
        using var recorder = new TelemetryRecorder(host.App.Services.GetRequiredService<AbdmMetrics>().Meter);
        var requestId = Guid.NewGuid().ToString();
        var changed = V3Share("test.v3@sbx");
        changed["profile"]!["patient"]!["yearOfBirth"] = "1999";

        using var first = await gateway.PostToHipAsync(V3SharePath, V3Share("test.v3@sbx"), requestId);
        using var second = await gateway.PostToHipAsync(V3SharePath, changed, requestId);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(2000, entry.Profile.YearOfBirth);
        Assert.Equal("v3", Assert.Single(recorder.Measurements("abdm.shares.conflicts")).Tag("abdm.wire_version"));
        await AcknowledgedAsync(host, entry.Id);
    }

    /// <summary>
    /// Waits until the entry's on-share went out: disposing the host with a gateway call in flight would wait for it on
    /// the resilience pipeline's fake clock, forever.
    /// </summary>
    private static Task AcknowledgedAsync(ProfileShareTestHost host, Guid entryId) =>
        host.WaitForEntryAsync(entryId, e => e.Acknowledgement != AcknowledgementState.Pending);

    /// <summary>A <see cref="ProfileShareTestHost"/> on v3 whose gateway is a <see cref="V3FakeGateway"/>.</summary>
    private static async Task<(ProfileShareTestHost Host, V3FakeGateway Gateway)> StartV3Async()
    {
        var gateway = new V3FakeGateway();
        var host = await ProfileShareTestHost.StartAsync(
            o =>
            {
                o.WireVersion = WireVersion.V3;
                o.Gateway.BaseUrl = new Uri(V3FakeGateway.BaseUrl);
                o.Linking.Start = LinkingStart.Manual;
            },
            b =>
            {
                b.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
                b.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
            });
        gateway.Hip = host.Client;
        return (host, gateway);
    }

    private static JsonObject V3Share(string abhaAddress) => ProfileShareTestHost.V3Share(abhaAddress);
}
