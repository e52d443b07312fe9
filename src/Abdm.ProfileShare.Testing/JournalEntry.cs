using System.Text.Json;

namespace Abdm.ProfileShare.Testing;

/// <summary>Whether the simulator received or sent a message.</summary>
public enum JournalDirection
{
    /// <summary>A request the HIP sent to the simulator.</summary>
    Received,

    /// <summary>A request the simulator sent to the HIP.</summary>
    Sent,
}

/// <summary>The faults the simulator applied to one exchange (see <see cref="GatewayFaults"/>).</summary>
public enum FaultKind
{
    /// <summary>Latency was added.</summary>
    Delay,

    /// <summary>The request was answered with a configured status instead of being processed.</summary>
    RespondWith,

    /// <summary>The request was held unanswered until the client gave up; it was not processed.</summary>
    Hang,

    /// <summary>The call to the HIP was not sent.</summary>
    Drop,

    /// <summary>This call to the HIP is a second delivery of the same body.</summary>
    Duplicate,

    /// <summary>This call is one of a pair delivered in reverse order (the later one first).</summary>
    ReverseOrder,

    /// <summary>This callback was sent before the 202 of the request that caused it.</summary>
    BeforeAccepted,

    /// <summary>This session token was issued to expire early.</summary>
    ExpireEarly,

    /// <summary>This call to the HIP carried a token signed with a key that is not published in the certs.</summary>
    UnpublishedKey,
}

/// <summary>One message the simulator received or sent, with its outcome. Immutable.</summary>
public sealed record JournalEntry
{
    /// <summary>Position in the journal (1, 2, ...): the order in which outcomes were recorded.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the outcome was recorded (the simulator's clock).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Received from or sent to the HIP.</summary>
    public required JournalDirection Direction { get; init; }

    /// <summary>The operation.</summary>
    public required GatewayOperation Operation { get; init; }

    /// <summary>The HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>The request path (received) or the full URL (sent).</summary>
    public required string Path { get; init; }

    /// <summary>The request headers; the value of <c>Authorization</c> is replaced by <c>[redacted]</c>.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>
    /// The request body as JSON, or <see langword="null"/> when there was none or it was not JSON. Secrets
    /// (<c>clientSecret</c>, <c>refreshToken</c>) are replaced by <c>[redacted]</c>.
    /// </summary>
    public JsonElement? Body { get; init; }

    /// <summary>The body's <c>requestId</c> (v3: the <c>REQUEST-ID</c> header), when it has one.</summary>
    public Guid? RequestId { get; init; }

    /// <summary>The body's <c>resp.requestId</c> (v3: <c>response.requestId</c>): the request this message answers, when it has one.</summary>
    public Guid? RespRequestId { get; init; }

    /// <summary>The patient's PHR address (v3: ABHA address) this message is about, when known.</summary>
    public string? HealthId { get; init; }

    /// <summary>The HIP id (<c>X-HIP-ID</c> sent, or the requester of an auth init/confirm).</summary>
    public string? HipId { get; init; }

    /// <summary>
    /// The HTTP status of the answer: the simulator's (received) or the HIP's (sent); <see langword="null"/> when
    /// there was none (held until the client gave up, dropped, HIP unreachable).
    /// </summary>
    public int? StatusCode { get; init; }

    /// <summary>The rule a received request broke, or <see langword="null"/>.</summary>
    public GatewayRejection? Rejection { get; init; }

    /// <summary>
    /// The numeric error code the simulator answered with, or <see langword="null"/> (also for a v3 <c>ABDM-xxxx</c>
    /// code: see <see cref="WireErrorCode"/>).
    /// </summary>
    public int? ErrorCode { get; init; }

    /// <summary>
    /// The error code the simulator answered with, as it is on the wire: <c>1006</c> (v0.5), <c>ABDM-1006</c> or
    /// <c>900901</c> (v3); <see langword="null"/> when none.
    /// </summary>
    public string? WireErrorCode { get; init; }

    /// <summary>A short explanation: the rejection message (names a field, never a value) or the delivery error.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// <see langword="true"/> for a sent callback that is the gateway's one late redelivery of a callback the HIP did
    /// not accept (<see cref="GatewaySimulatorOptions.RedeliverCallbacks"/>): same body, <c>REQUEST-ID</c> and bearer token.
    /// </summary>
    public bool IsRedelivery { get; init; }

    /// <summary>The faults applied to this exchange.</summary>
    public IReadOnlyList<FaultKind> Faults { get; init; } = [];

    /// <summary><see langword="true"/> for a received request the simulator accepted (2xx, no rejection, no fault outcome).</summary>
    public bool IsAccepted => Direction == JournalDirection.Received && StatusCode is >= 200 and < 300 && Rejection is null;

    /// <summary><see langword="true"/> for a sent call the HIP answered with 2xx.</summary>
    public bool IsDelivered => Direction == JournalDirection.Sent && StatusCode is >= 200 and < 300;

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Sequence} {Direction} {Operation} {Method} {Path} -> {StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer"}"
        + (Rejection is { } r ? $" ({r})" : "")
        + (Faults.Count > 0 ? $" [faults: {string.Join(", ", Faults)}]" : "")
        + (IsRedelivery ? " (redelivery)" : "")
        + (RequestId is { } id ? $" requestId {id}" : "");
}
