using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Workflow.Internal.Steps;

/// <summary>
/// <see cref="OutboxItemKind.LinkingNotification"/>: tells the host's <see cref="ILinkingTokenHandler"/> how the chain
/// ended: the clear linking token (decrypted; not when it expired or cannot be decrypted), or the failure. Given up
/// after <see cref="MaxAttempts"/> attempts: the token stays stored and readable through the counter queue.
/// </summary>
internal sealed class LinkingNotificationStep : IOutboxStep
{
    private readonly IProfileShareStore _store;
    private readonly LinkingTokenProtector _linkingTokens;
    private readonly WorkflowClock _clock;
    private readonly ILogger<LinkingNotificationStep> _logger;

    public LinkingNotificationStep(IProfileShareStore store, LinkingTokenProtector linkingTokens, WorkflowClock clock, ILogger<LinkingNotificationStep> logger)
    {
        _store = store;
        _linkingTokens = linkingTokens;
        _clock = clock;
        _logger = logger;
    }

    public OutboxItemKind Kind => OutboxItemKind.LinkingNotification;

    public string SpanName => "abdm.linking.notify";

    public int? MaxAttempts => 10;

    public async Task<StepResult> RunAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return StepResult.Done;
        }

        var handler = services.GetRequiredService<ILinkingTokenHandler>();
        EntrySpan.TagCurrent(AbdmTags.HipId, entry.HipId);
        EntrySpan.TagCurrent(AbdmTags.Outcome, AbdmTags.Of(entry.Linking.State));
        switch (entry.Linking.State)
        {
            case LinkingState.Linked:
                var token = _linkingTokens.Unprotect(
                    await _store.GetLinkingTokenAsync(entry.HipId, entry.Profile.HealthId, cancellationToken).ConfigureAwait(false), _clock.Now);
                if (token is not null)
                {
                    await handler.OnLinkingTokenReceivedAsync(entry, token, cancellationToken).ConfigureAwait(false);
                    Log.LinkingHandlerNotified(_logger, entry.Id, entry.Linking.State);
                }

                break;
            case LinkingState.Failed or LinkingState.TimedOut:
                await handler.OnLinkingFailedAsync(entry, cancellationToken).ConfigureAwait(false);
                Log.LinkingHandlerNotified(_logger, entry.Id, entry.Linking.State);
                break;
        }

        return StepResult.Done;
    }
}
