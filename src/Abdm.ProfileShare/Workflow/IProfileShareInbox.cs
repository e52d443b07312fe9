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
    /// answer with: <c>ABDM-1006</c> for a body that cannot be read (an <c>abhaAddress</c> or <c>abhaNumber</c> sent as
    /// a JSON number among them: identifiers stay strings), <c>ABDM-2404</c> for a missing or malformed
    /// <c>REQUEST-ID</c>, or the rule's own: <c>ABDM-1049</c> an intent that is none of <c>PROFILE_SHARE</c>,
    /// <c>RECORD_SHARE</c>, <c>PAYMENT_SHARE</c>; <c>ABDM-1149</c> a <c>RECORD_SHARE</c> or <c>PAYMENT_SHARE</c> when no
    /// <see cref="IShareIntentHandler"/> is registered; <c>ABDM-1050</c> a <c>metaData</c> key the contract does not
    /// define (named) or no counter; <c>ABDM-1035</c> a <c>metaData.hipId</c> that differs from <c>X-HIP-ID</c>;
    /// <c>ABDM-1102</c> no patient; <c>ABDM-1006</c> the ABHA address or gender. Reading stores nothing. A share read
    /// with an intent other than <see cref="ShareIntent.ProfileShare"/> (<see cref="ReceivedShare.Intent"/>) goes to
    /// <see cref="HandleShareIntentAsync"/>, every other to <see cref="AcceptShareAsync"/>.
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
    /// <exception cref="ArgumentException">The share's intent is not <see cref="ShareIntent.ProfileShare"/> (see <see cref="HandleShareIntentAsync"/>).</exception>
    Task<ShareIntakeResult> AcceptShareAsync(ReceivedShare share, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands a v3 <c>RECORD_SHARE</c> or <c>PAYMENT_SHARE</c> (read by <see cref="ReadShare"/>) to the host's
    /// <see cref="IShareIntentHandler"/>: no queue entry, no token number, no on-share. Deduplicated by requestId in
    /// process memory (bounded): a repeat gets the first outcome without calling the handler again.
    /// </summary>
    /// <remarks>
    /// Answer 2xx when the outcome is accepted, 400 with its code and message when refused. An exception from the
    /// handler propagates (and nothing is remembered): answer 503 (<c>ABDM-1024</c>), so the gateway's redelivery is
    /// handled again.
    /// </remarks>
    /// <param name="share">The share (<see cref="ReceivedShare.Intent"/> is not <see cref="ShareIntent.ProfileShare"/>).</param>
    /// <param name="cancellationToken">Passed to the handler; cancel when the sender stopped waiting.</param>
    /// <returns>The handler's outcome (or the remembered one for a repeat).</returns>
    /// <exception cref="ArgumentException">The share is a <c>PROFILE_SHARE</c>.</exception>
    Task<ShareIntentOutcome> HandleShareIntentAsync(ReceivedShare share, CancellationToken cancellationToken = default);

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
