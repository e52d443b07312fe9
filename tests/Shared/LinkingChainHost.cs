using System.Buffers.Text;
using System.Text;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.Tests.Shared;

/// <summary>
/// The SDK's services with a durable store, for tests of what the store holds at rest: a linking token goes through the
/// real workflow path (an on-confirm applied through <see cref="IProfileShareInbox"/>, which encrypts it) into the store.
/// </summary>
internal sealed class LinkingChainHost : IAsyncDisposable
{
    public const string HipId = "HIP-AT-REST-1";

    private LinkingChainHost(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }

    public IProfileShareStore Store => Services.GetRequiredService<IProfileShareStore>();

    public ICounterQueue Queue => Services.GetRequiredService<ICounterQueue>();

    /// <summary>Builds the services; <paramref name="useStore"/> registers the store (UseSqliteStore, UseRedisStore).</summary>
    public static LinkingChainHost Create(Action<AbdmProfileShareBuilder> useStore, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time ?? TimeProvider.System);
        var builder = services.AddAbdmProfileShare(options =>
        {
            options.HipIds.Add(HipId);
            options.Gateway.ClientId = "test-client";
            options.Gateway.ClientSecret = "test-secret-not-real";
        });
        useStore(builder);
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        return new LinkingChainHost(services.BuildServiceProvider());
    }

    /// <summary>A synthetic JWT like the gateway's linking token: <paramref name="marker"/> in its payload.</summary>
    /// <summary>A synthetic v0.5 share of <paramref name="phr"/> at <paramref name="hipId"/>, received at <paramref name="now"/>.</summary>
    public static ShareIntake Intake(string hipId, string phr, DateTimeOffset now) => new()
    {
        ShareRequestId = Guid.NewGuid(),
        HipId = hipId,
        CounterCode = "counter-1",
        Profile = new SharedPatientProfile { HealthId = phr, Name = "Synthetic Patient", Gender = Gender.Female, YearOfBirth = 1990 },
        WireVersion = WireVersion.V05,
        ReceivedAt = now,
        ServiceDay = DateOnly.FromDateTime(now.UtcDateTime),
        RescanWindow = TimeSpan.FromMinutes(30),
        EntryLifetime = TimeSpan.FromHours(4),
        NewEntryId = Guid.NewGuid(),
        AcknowledgementItemId = Guid.NewGuid(),
        AcknowledgementRequestId = Guid.NewGuid(),
    };

    public static string Jwt(DateTimeOffset expiresAt, string marker) =>
        Segment("""{"alg":"RS256","typ":"JWT"}""") + "." +
        Segment($$"""{"sub":"{{marker}}","healthId":"{{marker}}@sbx","exp":{{expiresAt.ToUnixTimeSeconds()}}}""") + "." +
        Segment("synthetic-signature");

    /// <summary>The payload segment of a JWT.</summary>
    public static string PayloadSegment(string jwt) => jwt.Split('.')[1];

    /// <summary>Accepts a share for <paramref name="phr"/>, sets its chain waiting for the on-confirm, and applies an
    /// on-confirm carrying <paramref name="token"/> through the workflow.</summary>
    public async Task<QueueEntry> LinkAsync(string phr, string token)
    {
        var now = Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var accepted = await Store.AcceptShareAsync(Intake(HipId, phr, now));
        var confirmRequestId = Guid.NewGuid();
        var waiting = accepted.Entry with
        {
            Status = QueueEntryStatus.Claimed,
            Linking = new LinkingStatus { State = LinkingState.AwaitingToken, ConfirmRequestId = confirmRequestId, TransactionId = "synthetic-txn", UpdatedAt = now },
        };
        if (!await Store.TryUpdateEntryAsync(new EntryUpdate
        {
            Entry = waiting,
            Correlations = [new Correlation(confirmRequestId, CorrelationKind.AuthConfirm, waiting.Id, HipId, now)],
        }))
        {
            throw new InvalidOperationException("The entry could not be set waiting for the on-confirm.");
        }

        var outcome = await Services.GetRequiredService<IProfileShareInbox>().ApplyLinkingCallbackAsync(new LinkingCallback
        {
            Kind = LinkingCallbackKind.AuthOnConfirm,
            HipId = HipId,
            RequestId = confirmRequestId,
            LinkingToken = token,
        });
        if (outcome != LinkingCallbackOutcome.Applied)
        {
            throw new InvalidOperationException($"The on-confirm was not applied: {outcome}.");
        }

        return (await Store.GetEntryAsync(waiting.Id))!;
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    private static string Segment(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
