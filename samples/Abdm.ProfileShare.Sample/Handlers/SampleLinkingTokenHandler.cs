using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Workflow;

namespace Abdm.ProfileShare.Sample.Handlers;

/// <summary>
/// Hears how each linking-token chain ended. The token is already stored by the library (the patient list reads it
/// with <see cref="ICounterQueue.GetLinkingTokenAsync"/>); a real HIS would link the patient's care contexts with it
/// here. The token itself is a secret: it is never logged or shown.
/// </summary>
internal sealed class SampleLinkingTokenHandler(ILogger<SampleLinkingTokenHandler> logger) : ILinkingTokenHandler
{
    public ValueTask OnLinkingTokenReceivedAsync(QueueEntry entry, LinkingTokenRecord token, CancellationToken cancellationToken)
    {
        SampleLog.LinkingTokenReceived(logger, entry.Id);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnLinkingFailedAsync(QueueEntry entry, CancellationToken cancellationToken)
    {
        SampleLog.LinkingFailed(logger, entry.Id, entry.Linking.State, entry.Linking.ErrorCode is { Length: > 0 } code ? "error " + code : "no error code");
        return ValueTask.CompletedTask;
    }
}
