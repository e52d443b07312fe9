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
    /// <summary>
    /// Reads a profile-share body: within the <c>Callbacks</c> limits (<c>MaxJsonDepth</c>, <c>MaxStringLength</c>; the
    /// transport enforces <c>MaxBodyBytes</c>), against the version's contract, then what an acknowledgement needs (a
    /// requestId, a well-formed PHR/ABHA address, the counter; v3: the intent).
    /// </summary>
    /// <remarks>
    /// A refusal names the JSON path or header and the rule, never a submitted value. On v3 it carries the ABDM code to
    /// answer with: <c>ABDM-1006</c> for a body that cannot be read, <c>ABDM-2404</c> for a missing or malformed
    /// <c>REQUEST-ID</c>, or the rule's own (<c>ABDM-1149</c> the intent, <c>ABDM-1050</c> the counter, <c>ABDM-1102</c> no
    /// patient, <c>ABDM-1006</c> the ABHA address or gender). Reading stores nothing.
    /// </remarks>
    /// <param name="version">The wire version of the route it arrived on.</param>
    /// <param name="hipId">The <c>X-HIP-ID</c> header, already checked against <c>HipIds</c>.</param>
    /// <param name="requestId">v3: the <c>REQUEST-ID</c> header (the share's id); ignored on v0.5/v1.0, where the body carries it.</param>
    /// <param name="body">The body's UTF-8 bytes (a UTF-8 byte order mark is skipped).</param>
    /// <returns>The share, or why it is refused.</returns>
    CallbackReadResult<ReceivedShare> ReadShare(WireVersion version, string hipId, string? requestId, ReadOnlySpan<byte> body);

    /// <summary>Reads a linking-chain callback body (on-init, on-confirm, on-generate-token).</summary>
    /// <remarks>
    /// The contract requires the requestId the callback answers (<c>resp.requestId</c>, v3 <c>response.requestId</c>):
    /// without it the body is refused. One sent as the empty UUID is read; it answers nothing this host awaits
    /// (<see cref="IsAwaitedAsync"/> is false, applying it is <see cref="LinkingCallbackOutcome.Unmatched"/>). A v3
    /// refusal carries <c>ABDM-1006</c>.
    /// </remarks>
    /// <param name="kind">Which callback the route receives.</param>
    /// <param name="hipId">The <c>X-HIP-ID</c> header, already checked against <c>HipIds</c>.</param>
    /// <param name="body">The body's UTF-8 bytes.</param>
    /// <returns>The callback, or why it is refused.</returns>
    CallbackReadResult<LinkingCallback> ReadLinkingCallback(LinkingCallbackKind kind, string hipId, ReadOnlySpan<byte> body);

    /// <summary>
    /// Persists a share: deduplicated by requestId, a re-scan inside the window keeps its token number, and the entry
    /// is written with its acknowledgement (the on-share, sent by the outbox) in one atomic step. Counted in
    /// <c>abdm.shares.accepted</c> by outcome.
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
    /// (or timed out waiting for it): the test a late delivery (a token that expired in transit) must pass. Never true
    /// for the empty requestId.
    /// </summary>
    /// <param name="callback">The callback.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>Whether the answer is awaited.</returns>
    Task<bool> IsAwaitedAsync(LinkingCallback callback, CancellationToken cancellationToken = default);
}
