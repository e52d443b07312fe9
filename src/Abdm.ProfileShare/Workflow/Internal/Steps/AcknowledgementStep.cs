using System.Globalization;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal.Steps;

/// <summary>
/// <see cref="OutboxItemKind.ShareAcknowledgement"/>: the host decides (<see cref="IProfileShareHandler"/>; a profile
/// unusable for registration is rejected with a reason the patient can read), the directory is searched for the
/// patient (<see cref="IPatientDirectory"/>, <see cref="PatientMatcher"/>), and the on-share tells the phone SUCCESS with
/// the token number, or FAILURE with the reason. A re-scan's on-share answers its own share request.
/// </summary>
internal sealed class AcknowledgementStep : IOutboxStep
{
    private readonly IProfileShareStore _store;
    private readonly EntryTransitions _transitions;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;
    private readonly AbdmMetrics _metrics;
    private readonly ILogger<AcknowledgementStep> _logger;

    public AcknowledgementStep(IProfileShareStore store, EntryTransitions transitions, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, AbdmMetrics metrics,
        ILogger<AcknowledgementStep> logger)
    {
        _store = store;
        _transitions = transitions;
        _options = options;
        _clock = clock;
        _metrics = metrics;
        _logger = logger;
    }

    public OutboxItemKind Kind => OutboxItemKind.ShareAcknowledgement;

    public string SpanName => "abdm.on_share.send";

    public int? MaxAttempts => null;

    public async Task<StepResult> RunAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null || item.CorrelatesTo is not { } shareRequestId)
        {
            return StepResult.Done;
        }

        var now = _clock.Now;
        EntrySpan.TagCurrent(AbdmTags.HipId, entry.HipId);
        EntrySpan.TagCurrent(AbdmTags.Counter, entry.CounterCode);
        EntrySpan.TagCurrent(AbdmTags.WireVersion, AbdmTags.Of(entry.WireVersion));
        if (entry.Status == QueueEntryStatus.Received)
        {
            var decided = await DecideAsync(entry, services, now, cancellationToken).ConfigureAwait(false);
            if (decided is null)
            {
                return StepResult.Done;
            }

            entry = decided;
        }

        if (entry.ExpiresAt <= now)
        {
            EntrySpan.TagCurrent(AbdmTags.Outcome, "abandoned");
            Log.AcknowledgementAbandoned(_logger, shareRequestId, entry.Id);
            return StepResult.Finished(await _transitions.ApplyAsync(entry.Id, entry, new AcknowledgementFailed(shareRequestId, item.Id), cancellationToken).ConfigureAwait(false));
        }

        var success = entry.Status != QueueEntryStatus.Rejected;
        var options = _options.CurrentValue;
        var acknowledgement = new ShareAcknowledgement
        {
            RequestId = item.RequestId,
            ShareRequestId = shareRequestId,
            HealthId = entry.Profile.HealthId,
            WireVersion = OnShareVersion(entry.WireVersion, options.WireVersion),
            Success = success,
            TokenNumber = entry.TokenNumber.ToString(CultureInfo.InvariantCulture),
            CounterCode = entry.CounterCode,

            // The token is valid for RescanWindow from its first scan; a re-scan is told what is left of it.
            TokenExpiresIn = entry.FirstScannedAt + options.Queue.RescanWindow - now,
            ErrorMessage = success ? null : entry.RejectionReason,
        };

        try
        {
            await services.GetRequiredService<IAbdmGatewayClient>().SendShareAcknowledgementAsync(acknowledgement, cancellationToken).ConfigureAwait(false);
        }
        catch (AbdmGatewayException ex) when (ex.IsTransient)
        {
            return StepResult.Retry(GatewayFailure.Describe(ex));
        }
        catch (AbdmGatewayException ex)
        {
            EntrySpan.TagCurrent(AbdmTags.Outcome, "refused");
            EntrySpan.TagCurrent(AbdmTags.ErrorCode, ex.ErrorCode);
            EntrySpan.FailCurrent(GatewayFailure.Describe(ex));
            Log.AcknowledgementRefused(_logger, shareRequestId, entry.Id, (int?)ex.StatusCode, ex.ErrorCode);
            return StepResult.Finished(await _transitions.ApplyAsync(entry.Id, entry, new AcknowledgementFailed(shareRequestId, item.Id), cancellationToken).ConfigureAwait(false));
        }

        Log.AcknowledgementDelivered(_logger, shareRequestId, entry.Id, success, entry.WireVersion);
        EntrySpan.TagCurrent(AbdmTags.Outcome, success ? "success" : "failure");
        _metrics.AcknowledgementDelivered(entry.HipId, entry.WireVersion, success, _clock.Now - item.CreatedAt);
        return StepResult.Finished(await _transitions.ApplyAsync(entry.Id, entry, new AcknowledgementDelivered(shareRequestId, success, item.Id), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The host's decision and the directory match, applied; returns the entry as decided (by this or another instance), or null when it is gone.</summary>
    private async Task<QueueEntry?> DecideAsync(QueueEntry entry, IServiceProvider services, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var why = ProfileRules.WhyUnusable(entry.Profile, _clock.ServiceDay(now));
        var decision = why is null
            ? await services.GetRequiredService<IProfileShareHandler>().OnShareReceivedAsync(entry, cancellationToken).ConfigureAwait(false)
            : ShareDecision.Reject(why);
        var match = decision.Accepted ? await MatchAsync(entry, services, cancellationToken).ConfigureAwait(false) : PatientMatch.NotChecked;
        var applied = await _transitions.ApplyAsync(entry.Id, entry, new ShareDecided(decision.Accepted, decision.PatientMessage, match), cancellationToken).ConfigureAwait(false);
        if (applied.Entry is not { } decided)
        {
            return null;
        }

        Log.ShareDecided(_logger, decided.Id, decided.Status, decided.Match.Kind);
        if (!decision.Accepted)
        {
            _metrics.ShareRejected(why is null ? "host_rejected" : "unusable_profile", decided.WireVersion, decided.HipId);
        }

        return decided;
    }

    private async Task<PatientMatch> MatchAsync(QueueEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        var profile = entry.Profile;
        try
        {
            var directory = services.GetRequiredService<IPatientDirectory>();
            var found = await directory.FindAsync(new PatientLookup(profile.AbhaNumber, profile.HealthId, profile.Mobile, profile.Name, profile.YearOfBirth), cancellationToken).ConfigureAwait(false);
            return PatientMatcher.Match(profile, found ?? []);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The patient must not wait for the directory: the operator can still search by hand.
            Log.DirectoryFailed(_logger, entry.Id, ex);
            return PatientMatch.NotChecked;
        }
    }

    /// <summary>
    /// The on-share version: on a v3 deployment every on-share is v3; on the v0.5 gateway a v0.5 or v1.0 share is
    /// answered in its own version and a v3 share in the configured one.
    /// </summary>
    internal static WireVersion OnShareVersion(WireVersion share, WireVersion deployment) =>
        deployment == WireVersion.V3 ? WireVersion.V3 : share == WireVersion.V3 ? deployment : share;
}
