using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Tests.Shared;
using Abdm.ProfileShare.Tests.TestSupport;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Workflow;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.Workflow;

/// <summary>
/// Linking tokens at rest: the workflow stores only ciphertext (whatever the store), hands the host the clear token,
/// still reads values stored in clear by earlier versions, and never hands out an expired or undecryptable token.
/// </summary>
public sealed class LinkingTokenAtRestTests : IAsyncDisposable
{
    private const string Phr = "synthetic.patient@sbx";
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 4, 30, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryProfileShareStore _store = new();
    private readonly RecordingHandler.Sink _handled = new();
    private readonly ServiceProvider _services;

    public LinkingTokenAtRestTests()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IProfileShareStore>(_store);
        services.AddSingleton(_handled);
        services.AddAbdmProfileShare(options =>
        {
            options.HipIds.Add(GatewayHarness.HipId);
            options.Gateway.BaseUrl = new Uri(FakeGateway.BaseUrl);
            options.Gateway.ClientId = GatewayHarness.ClientId;
            options.Gateway.ClientSecret = GatewayHarness.ClientSecret;
        }).AddLinkingTokenHandler<RecordingHandler>();

        // A key ring of this test only (AddAbdmProfileShare registered the host's default one).
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private ICounterQueue Queue => _services.GetRequiredService<ICounterQueue>();

    private FakeLogCollector Logs => _services.GetFakeLogCollector();

    [Fact]
    public void AddAbdmProfileShare_Always_RegistersDataProtection()
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare();

        using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetService<IDataProtectionProvider>());
        Assert.NotNull(provider.GetService<LinkingTokenProtector>());
    }

    [Fact]
    public async Task OnConfirm_JwtToken_StoreHoldsOnlyCiphertextWithTheTokensExpiry()
    {
        var exp = Start + TimeSpan.FromHours(24);
        var token = TestJwt.Expiring(exp);

        var entry = await LinkAsync(token);

        var stored = await _store.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);
        Assert.NotNull(stored);
        Assert.StartsWith(LinkingTokenProtector.Marker, stored.Token, StringComparison.Ordinal);
        Assert.DoesNotContain(token, stored.Token, StringComparison.Ordinal);
        Assert.DoesNotContain(TestJwt.PayloadSegment(token), stored.Token, StringComparison.Ordinal);
        Assert.Equal(exp, stored.ExpiresAt);
        Assert.Equal((entry.Id, Start), (stored.EntryId, stored.ReceivedAt));
    }

    [Fact]
    public async Task GetLinkingTokenAsync_StoredEncrypted_QueueReturnsTheClearToken()
    {
        var token = TestJwt.Expiring(Start + TimeSpan.FromDays(182.5));
        await LinkAsync(token);

        var read = await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);

        Assert.NotNull(read);
        Assert.Equal(token, read.Token);
        Assert.Equal(Start + TimeSpan.FromDays(182.5), read.ExpiresAt);
    }

    [Fact]
    public async Task GetLinkingTokenAsync_CiphertextCopiedToAnotherPatientsRecord_IsAbsentForThatPatient()
    {
        var token = TestJwt.Expiring(Start + TimeSpan.FromDays(182.5));
        var entry = await LinkAsync(token);
        var stolen = await _store.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);
        Assert.NotNull(stolen);

        // Someone with write access to the store copies the ciphertext onto another patient's (or HIP's) record.
        const string other = "another.patient@sbx";
        Assert.True(await _store.TryUpdateEntryAsync(new EntryUpdate { Entry = (await _store.GetEntryAsync(entry.Id))!, LinkingToken = stolen with { HealthId = other } }));

        Assert.Null(await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, other));
        Assert.Single(Logs.GetSnapshot(), l => l.Id.Id == 1400);
        Assert.Equal(token, (await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr))?.Token);
    }

    [Fact]
    public async Task LinkingNotification_StoredEncrypted_HandlerGetsTheClearToken()
    {
        var token = TestJwt.Expiring(Start + TimeSpan.FromHours(24));
        var entry = await LinkAsync(token);
        var processor = _services.GetServices<IHostedService>().OfType<OutboxProcessor>().Single();

        await processor.StartAsync(CancellationToken.None);
        try
        {
            _services.GetRequiredService<OutboxSignal>().Notify();
            var (handledEntry, handledToken) = await _handled.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(entry.Id, handledEntry.Id);
            Assert.Equal(token, handledToken.Token);
            Assert.Equal(Start + TimeSpan.FromHours(24), handledToken.ExpiresAt);
        }
        finally
        {
            await processor.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task GetLinkingTokenAsync_LegacyClearJwtWithoutExpiresAt_ReadsAsBeforeWithExpiryFromExp()
    {
        var token = TestJwt.Expiring(Start + TimeSpan.FromDays(182.5));
        await StoreDirectlyAsync(token, expiresAt: null);

        var read = await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);

        Assert.NotNull(read);
        Assert.Equal(token, read.Token);
        Assert.Equal(Start + TimeSpan.FromDays(182.5), read.ExpiresAt);
    }

    [Fact]
    public async Task GetLinkingTokenAsync_LegacyClearOpaqueToken_ExpiresAfter24Hours()
    {
        await StoreDirectlyAsync("linking-token-legacy-1", expiresAt: null);

        var fresh = await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);
        _time.Advance(TimeSpan.FromHours(24));
        var expired = await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);

        Assert.Equal("linking-token-legacy-1", fresh?.Token);
        Assert.Equal(Start + TimeSpan.FromHours(24), fresh?.ExpiresAt);
        Assert.Null(expired);
    }

    [Fact]
    public async Task GetLinkingTokenAsync_UndecryptableValue_IsAbsentAndLoggedWithoutTheValue()
    {
        var token = TestJwt.Expiring(Start + TimeSpan.FromDays(182.5));
        var lostKeyRing = new EphemeralDataProtectionProvider().CreateProtector(LinkingTokenProtector.Purpose);
        var storedValue = LinkingTokenProtector.Marker + lostKeyRing.Protect(token);
        var entry = await StoreDirectlyAsync(storedValue, Start + TimeSpan.FromDays(182.5));

        var read = await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);

        Assert.Null(read);
        var logs = Logs.GetSnapshot();
        var error = Assert.Single(logs, l => l.Level >= LogLevel.Error);
        Assert.Equal(1400, error.Id.Id);
        Assert.Contains(entry.Id.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("key ring", error.Message, StringComparison.Ordinal);
        foreach (var record in logs)
        {
            var text = record.Message + " " + string.Join(" ", record.StructuredState?.Select(p => p.Value) ?? []) + " " + record.Exception;
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(TestJwt.PayloadSegment(token), text, StringComparison.Ordinal);
            Assert.DoesNotContain(storedValue[LinkingTokenProtector.Marker.Length..], text, StringComparison.Ordinal);
            Assert.DoesNotContain(Phr, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task GetLinkingTokenAsync_TamperedValue_IsAbsent()
    {
        await StoreDirectlyAsync(LinkingTokenProtector.Marker + "not-a-data-protection-payload", Start + TimeSpan.FromDays(1));

        Assert.Null(await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr));
        Assert.Single(Logs.GetSnapshot(), l => l.Id.Id == 1400);
    }

    [Fact]
    public async Task GetLinkingTokenAsync_ExpiredToken_IsNotHandedOut()
    {
        var token = TestJwt.Expiring(Start + TimeSpan.FromHours(24));
        await LinkAsync(token);

        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        var before = await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);
        _time.Advance(TimeSpan.FromSeconds(1));
        var atExpiry = await Queue.GetLinkingTokenAsync(GatewayHarness.HipId, Phr);

        Assert.Equal(token, before?.Token);
        Assert.Null(atExpiry);
        Assert.NotNull(await _store.GetLinkingTokenAsync(GatewayHarness.HipId, Phr));
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    /// <summary>A share whose chain waits for on-confirm, then the on-confirm with <paramref name="token"/> through the
    /// real workflow path (ProfileShareWorkflow.Linked).</summary>
    private async Task<QueueEntry> LinkAsync(string token)
    {
        var entry = await WaitingForTokenAsync();
        var confirmRequestId = entry.Linking.ConfirmRequestId!.Value;
        var workflow = _services.GetRequiredService<ProfileShareWorkflow>();

        var outcome = await workflow.ApplyAsync(new LinkingCallback
        {
            Kind = LinkingCallbackKind.AuthOnConfirm,
            HipId = GatewayHarness.HipId,
            RequestId = confirmRequestId,
            LinkingToken = token,
        }, CancellationToken.None);

        Assert.Equal(LinkingCallbackOutcome.Applied, outcome);
        return entry;
    }

    /// <summary>An entry whose linking chain waits for the on-confirm (its share acknowledgement already sent).</summary>
    private async Task<QueueEntry> WaitingForTokenAsync()
    {
        var now = _time.GetUtcNow();
        var accepted = await _store.AcceptShareAsync(LinkingChainHost.Intake(GatewayHarness.HipId, Phr, now));
        foreach (var item in await _store.LeaseOutboxItemsAsync("test", now, TimeSpan.FromMinutes(1), 10))
        {
            await _store.CompleteOutboxItemAsync(item.Id);
        }

        var confirmRequestId = Guid.NewGuid();
        var waiting = accepted.Entry with
        {
            Status = QueueEntryStatus.Claimed,
            Linking = new LinkingStatus { State = LinkingState.AwaitingToken, ConfirmRequestId = confirmRequestId, TransactionId = "synthetic-txn", UpdatedAt = now },
        };
        Assert.True(await _store.TryUpdateEntryAsync(new EntryUpdate
        {
            Entry = waiting,
            Correlations = [new Correlation(confirmRequestId, CorrelationKind.AuthConfirm, waiting.Id, GatewayHarness.HipId, now)],
        }));
        return (await _store.GetEntryAsync(waiting.Id))!;
    }

    /// <summary>A record written straight to the store (as an earlier version or a lost key ring left it).</summary>
    private async Task<QueueEntry> StoreDirectlyAsync(string storedToken, DateTimeOffset? expiresAt)
    {
        var entry = await WaitingForTokenAsync();
        Assert.True(await _store.TryUpdateEntryAsync(new EntryUpdate
        {
            Entry = entry,
            LinkingToken = new LinkingTokenRecord
            {
                HipId = GatewayHarness.HipId, HealthId = Phr, Token = storedToken, EntryId = entry.Id, ReceivedAt = _time.GetUtcNow(), ExpiresAt = expiresAt,
            },
        }));
        return entry;
    }

    private sealed class RecordingHandler(RecordingHandler.Sink sink) : ILinkingTokenHandler
    {
        public ValueTask OnLinkingTokenReceivedAsync(QueueEntry entry, LinkingTokenRecord token, CancellationToken cancellationToken)
        {
            sink.Received.TrySetResult((entry, token));
            return ValueTask.CompletedTask;
        }

        public ValueTask OnLinkingFailedAsync(QueueEntry entry, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public sealed class Sink
        {
            public TaskCompletionSource<(QueueEntry Entry, LinkingTokenRecord Token)> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
