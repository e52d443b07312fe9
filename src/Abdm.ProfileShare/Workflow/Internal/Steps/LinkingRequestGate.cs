using System.Globalization;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal.Steps;

/// <summary>
/// What stands between a chain and its token request (v3 <c>generate-token</c>, v0.5 <c>users/auth/init</c>), in order:
/// the patient's stored token (reused, <c>Linking:ReuseTokens</c>), a gateway block of the address
/// (<c>Linking:BlockedErrorCodes</c>), and the request window (<c>Linking:RequestWindow</c>), both kept in the store so
/// every instance sees them. ABDM refuses a second request inside its window (<c>ABDM-1092</c>) and blocks an address
/// that keeps asking (<c>ABDM-1027</c>, 24 hours), so a patient who scans twice must not cost two requests.
/// </summary>
internal sealed class LinkingRequestGate
{
    /// <summary>The v3 gateway's "Duplicate Link token request".</summary>
    public const string DuplicateRequestCode = "ABDM-1092";

    private readonly IProfileShareStore _store;
    private readonly LinkingTokenProtector _linkingTokens;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;

    public LinkingRequestGate(IProfileShareStore store, LinkingTokenProtector linkingTokens, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock)
    {
        _store = store;
        _linkingTokens = linkingTokens;
        _options = options;
        _clock = clock;
    }

    /// <summary>
    /// Decides whether the chain's request (<paramref name="item"/>) may go: <see langword="null"/> to send it now; else the
    /// event to apply instead (<see cref="LinkingTokenReused"/>, <see cref="LinkingBlocked"/>, <see cref="LinkingThrottled"/>),
    /// or <see cref="LinkingResumed"/> for a throttled chain whose window ended (apply it, then send).
    /// </summary>
    public async Task<EntryEvent?> CheckAsync(OutboxItemKind call, OutboxItem item, QueueEntry entry, CancellationToken cancellationToken)
    {
        var linking = _options.CurrentValue.Linking;
        var now = _clock.Now;
        var healthId = entry.Profile.HealthId;
        if (linking.ReuseTokens
            && _linkingTokens.Unprotect(await _store.GetLinkingTokenAsync(entry.HipId, healthId, cancellationToken).ConfigureAwait(false), now) is { UsedAt: null })
        {
            return new LinkingTokenReused(call, item.RequestId, item.Id);
        }

        var guard = await _store.TryBeginLinkingRequestAsync(entry.HipId, healthId, item.RequestId, now, linking.RequestWindow, cancellationToken).ConfigureAwait(false);
        if (guard.IsBlocked(now))
        {
            return new LinkingBlocked(call, item.RequestId, item.Id, guard.BlockCode, guard.BlockedUntil!.Value);
        }

        if (!guard.Grants(item.RequestId, now))
        {
            var proceedAt = (guard.LastRequestAt ?? now) + linking.RequestWindow;
            return new LinkingThrottled(call, item.RequestId, item.Id, proceedAt, string.Create(CultureInfo.InvariantCulture,
                $"A token request for this patient was sent at {guard.LastRequestAt:HH:mm:ss} UTC; ABDM allows one per {Describe(linking.RequestWindow)}, so this one waits until {proceedAt:HH:mm:ss} UTC."));
        }

        return entry.Linking.State == LinkingState.Throttled ? new LinkingResumed(call, item.RequestId) : null;
    }

    /// <summary>Whether the gateway refused the request as a duplicate inside its window (<c>ABDM-1092</c>, or HTTP 429).</summary>
    public static bool IsDuplicateRequest(AbdmGatewayException exception) =>
        string.Equals(exception.ErrorCode, DuplicateRequestCode, StringComparison.OrdinalIgnoreCase)
        || exception.StatusCode == System.Net.HttpStatusCode.TooManyRequests;

    /// <summary>The chain waits a whole window after the gateway's <c>ABDM-1092</c>: it is never retried at once.</summary>
    public LinkingThrottled Refused(OutboxItemKind call, OutboxItem item, AbdmGatewayException exception)
    {
        var window = _options.CurrentValue.Linking.RequestWindow;
        var proceedAt = _clock.Now + window;
        var answer = exception.ErrorCode ?? string.Create(CultureInfo.InvariantCulture, $"HTTP {(int?)exception.StatusCode}");
        return new LinkingThrottled(call, item.RequestId, item.Id, proceedAt, string.Create(CultureInfo.InvariantCulture,
            $"ABDM refused the token request as a duplicate ({answer}); it is sent again once, at {proceedAt:HH:mm:ss} UTC, after a {Describe(window)} wait."));
    }

    private static string Describe(TimeSpan window) =>
        window.TotalMinutes >= 1 && window.Seconds == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{window.TotalMinutes:0} minutes")
            : string.Create(CultureInfo.InvariantCulture, $"{window.TotalSeconds:0} seconds");
}
