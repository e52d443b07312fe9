using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Workflow;

/// <summary>Tells the host how a linking-token chain ended. Called off the request path, at least once per outcome.</summary>
/// <remarks>The token is already stored (<c>ICounterQueue.GetLinkingTokenAsync</c>); the default handler does nothing.</remarks>
public interface ILinkingTokenHandler
{
    /// <summary>The gateway issued a linking token.</summary>
    /// <param name="entry">The queue entry.</param>
    /// <param name="token">The stored token, decrypted (secret: never log <see cref="LinkingTokenRecord.Token"/>). Not
    /// called when the stored token has expired or cannot be decrypted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    ValueTask OnLinkingTokenReceivedAsync(QueueEntry entry, LinkingTokenRecord token, CancellationToken cancellationToken);

    /// <summary>The chain failed (a gateway error such as 1441, a refused call, or a missing callback).</summary>
    /// <param name="entry">The queue entry; <see cref="QueueEntry.Linking"/> says why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    ValueTask OnLinkingFailedAsync(QueueEntry entry, CancellationToken cancellationToken);
}
