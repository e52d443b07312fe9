namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// Handles v3 shares whose intent is <see cref="ShareIntent.RecordShare"/> or <see cref="ShareIntent.PaymentShare"/>
/// (a <c>PROFILE_SHARE</c> is always the registration flow). Optional: without one, those shares are refused with
/// <c>ABDM-1149</c> ("Intent type is not supported at HIP end"). Register it with
/// <c>builder.AddShareIntentHandler&lt;T&gt;()</c> (scoped).
/// </summary>
/// <remarks>
/// <para>
/// Called on the request path, after the gateway was authenticated, <c>X-HIP-ID</c> checked and the body read: the
/// share is answered 2xx only after this returned <see cref="ShareIntentOutcome.Accept"/>, and 400 with the outcome's
/// code and message when it refused. Keep it fast (the gateway waits for the answer): record the request and do the
/// work later. The SDK sends no on-share for these intents and stores nothing in the counter queue.
/// </para>
/// <para>
/// A repeat of the same <c>REQUEST-ID</c> (the gateway retries) is answered with the first outcome without calling the
/// handler again, as long as this process remembers it (an in-memory, bounded record; see
/// <see cref="ShareIntentRequest.RequestId"/>). After a restart, or on another instance, a repeat reaches the handler
/// again: make the handler idempotent on <see cref="ShareIntentRequest.RequestId"/>.
/// </para>
/// <para>
/// An exception (other than a cancellation of the request) is answered <c>503</c> with <c>ABDM-1024</c> and nothing is
/// remembered, so the gateway's redelivery reaches the handler again; since the share was never answered 2xx, nothing
/// accepted is lost. The exception's type is logged, never its message.
/// </para>
/// </remarks>
public interface IShareIntentHandler
{
    /// <summary>Handles a <c>RECORD_SHARE</c> or <c>PAYMENT_SHARE</c>.</summary>
    /// <param name="request">The share.</param>
    /// <param name="cancellationToken">Cancelled when the gateway stops waiting for the answer.</param>
    /// <returns>Accept (answered 2xx), or refuse with an ABDM error code and message (answered 400).</returns>
    Task<ShareIntentOutcome> HandleAsync(ShareIntentRequest request, CancellationToken cancellationToken);
}
