using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal.Steps;

/// <summary>
/// <see cref="OutboxItemKind.LinkingTimeout"/>, due <c>Linking:CallbackTimeout</c> after the gateway accepted a linking call:
/// the chain is TimedOut if it still waits for that call's callback; otherwise (the callback came) nothing happens.
/// </summary>
internal sealed class LinkingTimeoutStep : IOutboxStep
{
    private readonly EntryTransitions _transitions;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;

    public LinkingTimeoutStep(EntryTransitions transitions, IOptionsMonitor<AbdmProfileShareOptions> options)
    {
        _transitions = transitions;
        _options = options;
    }

    public OutboxItemKind Kind => OutboxItemKind.LinkingTimeout;

    public string SpanName => "abdm.linking.timeout";

    public int? MaxAttempts => null;

    public async Task<StepResult> RunAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var applied = await _transitions.ApplyAsync(item.EntryId, null, new CallbackTimedOut(item.RequestId, item.Id, _options.CurrentValue.Linking.CallbackTimeout), cancellationToken).ConfigureAwait(false);
        EntrySpan.TagCurrent(AbdmTags.Outcome, applied.Written ? "timed_out" : "stale");
        return StepResult.Finished(applied);
    }
}
