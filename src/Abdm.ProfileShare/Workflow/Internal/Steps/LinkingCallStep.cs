using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal.Steps;

/// <summary>
/// A call of the linking chain (<see cref="AuthInitStep"/>, <see cref="AuthConfirmStep"/>, <see cref="GenerateLinkTokenStep"/>):
/// sent only while the chain still waits on this item's requestId; once the gateway accepts it, its callback timeout is
/// armed. A transient failure is retried by the pump; a refusal fails the chain; an entry whose retention ended before
/// the gateway could be reached times the chain out.
/// </summary>
internal abstract class LinkingCallStep : IOutboxStep
{
    private readonly IProfileShareStore _store;
    private readonly EntryTransitions _transitions;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;
    private readonly LinkingRequestGate? _gate;
    private readonly ILogger _logger;

    // gate: the token-request gate, for the calls that request a token (auth-init, generate-token); null for auth-confirm.
    protected LinkingCallStep(IProfileShareStore store, EntryTransitions transitions, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock,
        LinkingRequestGate? gate, ILogger logger)
    {
        _store = store;
        _transitions = transitions;
        _options = options;
        _clock = clock;
        _gate = gate;
        _logger = logger;
    }

    public abstract OutboxItemKind Kind { get; }

    public abstract string SpanName { get; }

    public int? MaxAttempts => null;

    /// <summary>Whether the chain still waits on this call (its state and requestId).</summary>
    protected abstract bool IsDue(LinkingStatus linking, Guid requestId);

    /// <summary>Whether a throttled chain waits to send this call (the token-request calls only).</summary>
    protected bool IsThrottledOn(LinkingStatus linking, Guid requestId) =>
        _gate is not null && linking.State == LinkingState.Throttled
        && requestId == (Kind == OutboxItemKind.AuthInit ? linking.InitRequestId : linking.TokenRequestId);

    /// <summary>Sends the call, with the item's requestId.</summary>
    protected abstract Task SendAsync(IAbdmGatewayClient gateway, OutboxItem item, QueueEntry entry, CancellationToken cancellationToken);

    public async Task<StepResult> RunAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null || !IsDue(entry.Linking, item.RequestId))
        {
            return StepResult.Done;
        }

        var options = _options.CurrentValue;
        EntrySpan.TagCurrent(AbdmTags.HipId, entry.HipId);
        if (entry.ExpiresAt + options.Queue.Retention <= _clock.Now)
        {
            EntrySpan.TagCurrent(AbdmTags.Outcome, "expired");
            return StepResult.Finished(await _transitions.ApplyAsync(entry.Id, entry, new LinkingCallExpired(Kind, item.RequestId, item.Id), cancellationToken).ConfigureAwait(false));
        }

        if (_gate is not null && await _gate.CheckAsync(Kind, item, entry, cancellationToken).ConfigureAwait(false) is { } gated)
        {
            var applied = await _transitions.ApplyAsync(entry.Id, entry, gated, cancellationToken).ConfigureAwait(false);
            if (gated is not LinkingResumed)
            {
                Report(entry, gated);
                return StepResult.Finished(applied);
            }

            if (!applied.Written || applied.Entry is null)
            {
                return StepResult.Done; // the chain moved on while it waited
            }

            entry = applied.Entry;
        }

        try
        {
            await SendAsync(services.GetRequiredService<IAbdmGatewayClient>(), item, entry, cancellationToken).ConfigureAwait(false);
        }
        catch (AbdmGatewayException ex) when (_gate is not null && LinkingRequestGate.IsDuplicateRequest(ex))
        {
            var throttled = _gate.Refused(Kind, item, ex);
            var applied = await _transitions.ApplyAsync(entry.Id, entry, throttled, cancellationToken).ConfigureAwait(false);
            Report(entry, throttled);
            EntrySpan.TagCurrent(AbdmTags.ErrorCode, ex.ErrorCode);
            return StepResult.Finished(applied);
        }
        catch (AbdmGatewayException ex) when (ex.IsTransient)
        {
            return StepResult.Retry(GatewayFailure.Describe(ex));
        }
        catch (AbdmGatewayException ex)
        {
            var message = ex.GatewayMessage ?? $"The gateway refused {ex.Operation} (HTTP {(int?)ex.StatusCode}).";
            var refused = await _transitions.ApplyAsync(entry.Id, entry, new LinkingCallRefused(Kind, item.RequestId, item.Id, ex.ErrorCode, message, ex.Operation), cancellationToken).ConfigureAwait(false);
            EntrySpan.TagCurrent(AbdmTags.Outcome, "refused");
            EntrySpan.TagCurrent(AbdmTags.ErrorCode, ex.ErrorCode);
            EntrySpan.FailCurrent(GatewayFailure.Describe(ex));
            return StepResult.Finished(refused);
        }

        EntrySpan.TagCurrent(AbdmTags.Outcome, "sent");
        var timeoutAt = _clock.Now + _options.CurrentValue.Linking.CallbackTimeout;
        var accepted = await _transitions.ApplyAsync(entry.Id, entry, new LinkingCallAccepted(Kind, item.RequestId, item.Id, timeoutAt), cancellationToken).ConfigureAwait(false);
        return StepResult.Finished(accepted, accepted.Written ? timeoutAt : null);
    }

    private void Report(QueueEntry entry, EntryEvent gated)
    {
        switch (gated)
        {
            case LinkingTokenReused:
                EntrySpan.TagCurrent(AbdmTags.Outcome, "reused");
                Log.LinkingTokenReused(_logger, entry.Id, entry.HipId);
                break;
            case LinkingThrottled throttled:
                EntrySpan.TagCurrent(AbdmTags.Outcome, "throttled");
                Log.LinkingThrottled(_logger, entry.Id, throttled.ProceedAt, throttled.Reason);
                break;
            case LinkingBlocked:
                EntrySpan.TagCurrent(AbdmTags.Outcome, "blocked");
                break;
        }
    }
}

/// <summary><see cref="OutboxItemKind.AuthInit"/>: v0.5/v1.0 <c>users/auth/init</c> (purpose LINK, mode DEMOGRAPHICS); on-init brings the transaction id.</summary>
internal sealed class AuthInitStep(IProfileShareStore store, EntryTransitions transitions, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock,
    LinkingRequestGate gate, ILogger<AuthInitStep> logger)
    : LinkingCallStep(store, transitions, options, clock, gate, logger)
{
    public override OutboxItemKind Kind => OutboxItemKind.AuthInit;

    public override string SpanName => "abdm.auth_init.send";

    protected override bool IsDue(LinkingStatus linking, Guid requestId) =>
        (linking.State == LinkingState.AwaitingTransaction && linking.InitRequestId == requestId) || IsThrottledOn(linking, requestId);

    protected override Task SendAsync(IAbdmGatewayClient gateway, OutboxItem item, QueueEntry entry, CancellationToken cancellationToken) =>
        gateway.InitLinkingAuthAsync(new LinkingAuthInit { RequestId = item.RequestId, HealthId = entry.Profile.HealthId, HipId = entry.HipId }, cancellationToken);
}

/// <summary><see cref="OutboxItemKind.AuthConfirm"/>: v0.5/v1.0 <c>users/auth/confirm</c> with the demographics exactly as shared; on-confirm brings the token.</summary>
internal sealed class AuthConfirmStep(IProfileShareStore store, EntryTransitions transitions, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock,
    ILogger<AuthConfirmStep> logger)
    : LinkingCallStep(store, transitions, options, clock, gate: null, logger)
{
    public override OutboxItemKind Kind => OutboxItemKind.AuthConfirm;

    public override string SpanName => "abdm.auth_confirm.send";

    protected override bool IsDue(LinkingStatus linking, Guid requestId) =>
        linking.State == LinkingState.AwaitingToken && linking.ConfirmRequestId == requestId && linking.TransactionId is not null;

    protected override Task SendAsync(IAbdmGatewayClient gateway, OutboxItem item, QueueEntry entry, CancellationToken cancellationToken) =>
        gateway.ConfirmDemographicAuthAsync(new DemographicAuthConfirm { RequestId = item.RequestId, TransactionId = entry.Linking.TransactionId!, Profile = entry.Profile }, cancellationToken);
}

/// <summary><see cref="OutboxItemKind.GenerateLinkToken"/>: v3 <c>generate-token</c>; on-generate-token brings the link token.</summary>
internal sealed class GenerateLinkTokenStep(IProfileShareStore store, EntryTransitions transitions, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock,
    LinkingRequestGate gate, ILogger<GenerateLinkTokenStep> logger)
    : LinkingCallStep(store, transitions, options, clock, gate, logger)
{
    public override OutboxItemKind Kind => OutboxItemKind.GenerateLinkToken;

    public override string SpanName => "abdm.generate_token.send";

    protected override bool IsDue(LinkingStatus linking, Guid requestId) =>
        (linking.State == LinkingState.AwaitingToken && linking.TokenRequestId == requestId) || IsThrottledOn(linking, requestId);

    protected override Task SendAsync(IAbdmGatewayClient gateway, OutboxItem item, QueueEntry entry, CancellationToken cancellationToken) =>
        gateway.RequestLinkTokenAsync(new LinkTokenRequest { RequestId = item.RequestId, HipId = entry.HipId, Profile = entry.Profile }, cancellationToken);
}
