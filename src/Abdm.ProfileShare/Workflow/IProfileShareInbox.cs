using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// The inbound side of the workflow, for the transport that receives the gateway's callbacks:
/// <c>Abdm.ProfileShare.AspNetCore</c>'s <c>MapAbdmProfileShare()</c>, or a host's own (another web framework, a
/// queue). The transport authenticates the gateway, checks that <c>X-HIP-ID</c> names a HIP this host serves and
/// reads the body within its size limit; the inbox reads the JSON (limits, required fields, the wire version's
/// rules) into the version-independent model and applies it to the workflow. Registered by
/// <c>AddAbdmProfileShare</c>.
/// </summary>
/// <remarks>
/// A share must be answered 2xx only after <see cref="AcceptShareAsync"/> returned: the entry and its acknowledgement
/// are then stored, and a repeat of the same requestId is recognised.
/// </remarks>
public interface IProfileShareInbox
{
    /// <summary>Reads a profile-share body.</summary>
    /// <param name="version">The wire version of the route it arrived on.</param>
    /// <param name="hipId">The <c>X-HIP-ID</c> header, already checked against <c>HipIds</c>.</param>
    /// <param name="requestId">v3: the <c>REQUEST-ID</c> header (the share's id); ignored on v0.5/v1.0, where the body carries it.</param>
    /// <param name="body">The body's UTF-8 bytes.</param>
    /// <returns>The share, or why it is refused.</returns>
    CallbackReadResult<ReceivedShare> ReadShare(WireVersion version, string hipId, string? requestId, ReadOnlySpan<byte> body);

    /// <summary>Reads a linking-chain callback body (on-init, on-confirm, on-generate-token).</summary>
    /// <param name="kind">Which callback the route receives.</param>
    /// <param name="hipId">The <c>X-HIP-ID</c> header, already checked against <c>HipIds</c>.</param>
    /// <param name="body">The body's UTF-8 bytes.</param>
    /// <returns>The callback, or why it is refused.</returns>
    CallbackReadResult<LinkingCallback> ReadLinkingCallback(LinkingCallbackKind kind, string hipId, ReadOnlySpan<byte> body);

    /// <summary>
    /// Persists a share: deduplicated by requestId, a re-scan inside the window keeps its token number, and the entry
    /// is written with its acknowledgement (the on-share, sent by the outbox) in one atomic step.
    /// </summary>
    /// <param name="share">The share.</param>
    /// <param name="cancellationToken">Cancels the write (the write is atomic; a repeat is recognised).</param>
    /// <returns>What the store did.</returns>
    Task<ShareIntakeResult> AcceptShareAsync(ReceivedShare share, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a linking callback: the entry changes only if its chain still waits for exactly the request the
    /// callback answers (or timed out waiting for it).
    /// </summary>
    /// <param name="callback">The callback.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether it advanced the chain.</returns>
    Task<LinkingCallbackOutcome> ApplyLinkingCallbackAsync(LinkingCallback callback, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether this host sent the request the callback answers, for its HIP, and the chain still waits for that answer
    /// (or timed out waiting for it): the test a late delivery (a token that expired in transit) must pass.
    /// </summary>
    /// <param name="callback">The callback.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>Whether the answer is awaited.</returns>
    Task<bool> IsAwaitedAsync(LinkingCallback callback, CancellationToken cancellationToken = default);
}
