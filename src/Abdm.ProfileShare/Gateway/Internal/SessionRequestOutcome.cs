namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>What the latest gateway session request gave.</summary>
internal enum SessionRequestResult
{
    /// <summary>A session token was obtained.</summary>
    Obtained,

    /// <summary>The gateway refused the client credentials (HTTP 400/401/403 or its invalid-credentials code).</summary>
    Refused,

    /// <summary>The gateway could not be reached, timed out or answered a transient error (5xx, 408, 429).</summary>
    Unreachable,

    /// <summary>Another failure (an unusable response).</summary>
    Failed,
}

/// <summary>The latest gateway session request's outcome, kept for the session health check (no gateway call per probe).</summary>
/// <param name="Result">What it gave.</param>
/// <param name="At">When it ended.</param>
/// <param name="StatusCode">The HTTP status, when the gateway answered.</param>
/// <param name="ErrorCode">The gateway's error code, when it sent one.</param>
internal sealed record SessionRequestOutcome(SessionRequestResult Result, DateTimeOffset At, int? StatusCode, string? ErrorCode);
