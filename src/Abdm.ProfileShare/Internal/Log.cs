using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Internal;

/// <summary>
/// Every log message of the core package, with stable event ids. Messages carry request ids, entry ids,
/// HIP ids, counters and states only: never names, ABHA numbers, PHR addresses, phone numbers, tokens or secrets.
/// </summary>
internal static partial class Log
{
    // 1000-1099: gateway client and session
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Gateway session token obtained, valid for {LifetimeSeconds} s")]
    public static partial void SessionTokenObtained(ILogger logger, int lifetimeSeconds);

    // 1001, 1011 (transient) and 1012 are Debug: the gateway's outage tracker (1100/1101) reports an outage once.
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Gateway session request failed (HTTP {StatusCode}, code {ErrorCode})")]
    public static partial void SessionRequestFailed(ILogger logger, int? statusCode, string? errorCode, Exception? exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Gateway session token dropped after the gateway refused it")]
    public static partial void SessionTokenInvalidated(ILogger logger);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Gateway refused the session token on {Operation} (HTTP {StatusCode}); retrying once with a new token")]
    public static partial void SessionTokenRefused(ILogger logger, string operation, int statusCode);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Gateway accepted {Operation} requestId {RequestId} (HTTP {StatusCode}) in {ElapsedMs:F1} ms")]
    public static partial void GatewayCallAccepted(ILogger logger, string operation, Guid? requestId, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 1011, Message = "Gateway rejected {Operation} requestId {RequestId}: HTTP {StatusCode}, code {ErrorCode}")]
    private static partial void GatewayCallRejectedCore(ILogger logger, LogLevel level, string operation, Guid? requestId, int statusCode, string errorCode);

    public static void GatewayCallRejected(ILogger logger, LogLevel level, string operation, Guid? requestId, int statusCode, string? errorCode) =>
        GatewayCallRejectedCore(logger, level, operation, requestId, statusCode, errorCode ?? "none");

    [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "Gateway unreachable for {Operation} requestId {RequestId} ({Reason})")]
    public static partial void GatewayCallUnreachable(ILogger logger, string operation, Guid? requestId, string reason);

    // 1100-1199: dependency outages (one error when one starts, one information when it ends)
    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Bridge services checked: {Description}")]
    public static partial void BridgeServicesChecked(ILogger logger, string description);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "Bridge services: {Description}")]
    public static partial void BridgeServicesProblem(ILogger logger, string description);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "{Dependency} is failing: {Reason}. The work is kept and retried; further failures are logged at Debug level until it recovers")]
    public static partial void OutageStarted(ILogger logger, string dependency, string reason, Exception? exception);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "{Dependency} recovered after {DurationSeconds:F0} s and {Failures} failed attempt(s)")]
    public static partial void OutageEnded(ILogger logger, string dependency, double durationSeconds, int failures);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "{Dependency} still failing ({Failures} failed attempts): {Reason}")]
    public static partial void OutageContinues(ILogger logger, string dependency, int failures, string reason);

    // 1200-1299: share intake and callbacks (request path)
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Share {ShareRequestId} accepted for HIP {HipId} counter {CounterCode}: {Outcome}, entry {EntryId}, token {TokenNumber} ({WireVersion})")]
    public static partial void ShareAccepted(ILogger logger, Guid shareRequestId, string hipId, string counterCode, Abdm.ProfileShare.Storage.ShareIntakeOutcome outcome, Guid entryId, int tokenNumber, Abdm.ProfileShare.Model.WireVersion wireVersion);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Share {ShareRequestId} for HIP {HipId} refused: the body lacks what the flow needs")]
    public static partial void ShareRefusedInvalid(ILogger logger, Guid shareRequestId, string hipId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Share {ShareRequestId} repeats a requestId already accepted with a different body: answered as a duplicate, the first body stands")]
    public static partial void ShareRequestIdConflict(ILogger logger, Guid shareRequestId);

    [LoggerMessage(EventId = 1220, Level = LogLevel.Information, Message = "Share {ShareRequestId} for HIP {HipId} ({Intent}) handed to the share intent handler: accepted {Accepted}, code {ErrorCode}, repeat {Repeat}")]
    public static partial void ShareIntentHandled(ILogger logger, Guid shareRequestId, string hipId, string intent, bool accepted, string errorCode, bool repeat);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Error, Message = "The share intent handler failed for share {ShareRequestId} of HIP {HipId} ({Intent}) with {ExceptionType}; answered as unavailable, nothing remembered")]
    public static partial void ShareIntentHandlerFailed(ILogger logger, Guid shareRequestId, string hipId, string intent, string exceptionType);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Callback {Callback} for requestId {RequestId} matches no request of this host: recorded and ignored")]
    public static partial void CallbackUnmatched(ILogger logger, string callback, Guid requestId);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Callback {Callback} for requestId {RequestId} names another HIP than the request: ignored")]
    public static partial void CallbackHipMismatch(ILogger logger, string callback, Guid requestId);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Information, Message = "Callback {Callback} for requestId {RequestId} is a duplicate or late (linking state {State}): ignored")]
    public static partial void CallbackIgnored(ILogger logger, string callback, Guid requestId, Abdm.ProfileShare.Model.LinkingState? state);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Information, Message = "Entry {EntryId} linking state {State} after {Step} (gateway error code {ErrorCode})")]
    private static partial void LinkingStateChangedCore(ILogger logger, Guid entryId, string step, Abdm.ProfileShare.Model.LinkingState state, string errorCode);

    // A missing error code reads "none", never "(null)".
    public static void LinkingStateChanged(ILogger logger, Guid entryId, string step, Abdm.ProfileShare.Model.LinkingState state, string? errorCode) =>
        LinkingStateChangedCore(logger, entryId, step, state, errorCode ?? "none");

    // 1300-1399: outbox processor and queue
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Outbox processor {Owner} started")]
    public static partial void OutboxStarted(ILogger logger, string owner);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Outbox processor could not read the store; retrying")]
    public static partial void OutboxPumpFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Outbox item {Kind} {ItemId} of entry {EntryId} failed (attempt {Attempt})")]
    public static partial void OutboxItemFailed(ILogger logger, Abdm.ProfileShare.Storage.OutboxItemKind kind, Guid itemId, Guid entryId, int attempt, Exception exception);

    // Debug when the retry is due to a gateway outage (reported once by 1100/1101), Warning otherwise.
    [LoggerMessage(EventId = 1303, Message = "Outbox item {Kind} {ItemId} of entry {EntryId} will be retried (attempt {Attempt}) in {DelayMs:F0} ms: {Reason}")]
    public static partial void OutboxItemRescheduled(ILogger logger, LogLevel level, Abdm.ProfileShare.Storage.OutboxItemKind kind, Guid itemId, Guid entryId, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "Purged {Count} expired queue entries")]
    public static partial void Purged(ILogger logger, int count);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "Entry {EntryId} decided: {Status}, patient match {MatchKind}")]
    public static partial void ShareDecided(ILogger logger, Guid entryId, Abdm.ProfileShare.Model.QueueEntryStatus status, Abdm.ProfileShare.Model.MatchKind matchKind);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "On-share for share {ShareRequestId} (entry {EntryId}) delivered: success {Success} ({WireVersion})")]
    public static partial void AcknowledgementDelivered(ILogger logger, Guid shareRequestId, Guid entryId, bool success, Abdm.ProfileShare.Model.WireVersion wireVersion);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Error, Message = "The gateway refused the on-share for share {ShareRequestId} (entry {EntryId}): HTTP {StatusCode}, code {ErrorCode}")]
    private static partial void AcknowledgementRefusedCore(ILogger logger, Guid shareRequestId, Guid entryId, string statusCode, string errorCode);

    public static void AcknowledgementRefused(ILogger logger, Guid shareRequestId, Guid entryId, int? statusCode, string? errorCode) =>
        AcknowledgementRefusedCore(logger, shareRequestId, entryId, statusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", errorCode ?? "none");

    [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "On-share for share {ShareRequestId} (entry {EntryId}) abandoned: the entry expired before the gateway could be reached")]
    public static partial void AcknowledgementAbandoned(ILogger logger, Guid shareRequestId, Guid entryId);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Warning, Message = "The patient directory failed for entry {EntryId}; the entry shows no match")]
    public static partial void DirectoryFailed(ILogger logger, Guid entryId, Exception exception);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Error, Message = "The linking handler kept failing for entry {EntryId}; gave up after {Attempts} attempts (the token stays stored)")]
    public static partial void NotificationAbandoned(ILogger logger, Guid entryId, int attempts);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Information, Message = "The linking handler was told about entry {EntryId}: {State}")]
    public static partial void LinkingHandlerNotified(ILogger logger, Guid entryId, Abdm.ProfileShare.Model.LinkingState state);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Warning, Message = "AbdmProfileShare:Outbox:LeaseDuration ({Lease}) is not longer than AbdmProfileShare:Resilience:TotalTimeout ({TotalTimeout}): another instance may resend a slow gateway call (same requestId) while it is still running")]
    public static partial void LeaseShorterThanCall(ILogger logger, TimeSpan lease, TimeSpan totalTimeout);

    [LoggerMessage(EventId = 1320, Level = LogLevel.Information, Message = "Queue entry {EntryId}: {Action} -> {Outcome} (status {Status})")]
    public static partial void QueueAction(ILogger logger, Guid entryId, string action, Abdm.ProfileShare.Workflow.QueueActionOutcome outcome, Abdm.ProfileShare.Model.QueueEntryStatus status);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Warning, Message = "The counter's service record could not be updated for entry {EntryId}; the running-token figures miss it")]
    public static partial void CounterServiceNotRecorded(ILogger logger, Guid entryId, Exception exception);

    [LoggerMessage(EventId = 1330, Level = LogLevel.Information, Message = "Running-token status {RequestId} for HIP {HipId} answered: {Answer}")]
    public static partial void RunningTokenAnswered(ILogger logger, Guid requestId, string hipId, string answer);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Warning, Message = "Running-token status {RequestId} not answered: {Reason}")]
    public static partial void RunningTokenDropped(ILogger logger, Guid requestId, string reason);

    // 1400-1499: linking tokens at rest (never the token: entry and HIP ids only)
    [LoggerMessage(EventId = 1400, Level = LogLevel.Error, Message = "The stored linking token of entry {EntryId} (HIP {HipId}) could not be decrypted and is treated as absent. Persist the Data Protection key ring (AddDataProtection().PersistKeysTo..., shared by every instance, with the same application name) so stored tokens survive restarts")]
    public static partial void LinkingTokenUndecryptable(ILogger logger, Guid entryId, string hipId, Exception exception);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "The stored linking token of entry {EntryId} expired at {ExpiresAt}; not handed out")]
    public static partial void LinkingTokenExpired(ILogger logger, Guid entryId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "The gateway blocked linking-token requests for the patient of entry {EntryId} at HIP {HipId} (code {ErrorCode}): none is sent until {BlockedUntil:O}")]
    public static partial void LinkingBlocked(ILogger logger, Guid entryId, string hipId, string errorCode, DateTimeOffset blockedUntil);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Error, Message = "The gateway blocked linking-token requests for the patient of entry {EntryId} at HIP {HipId} (code {ErrorCode}), and the store could not record the block; the next request will learn it again")]
    public static partial void LinkingBlockNotStored(ILogger logger, Guid entryId, string hipId, string errorCode, Exception exception);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Entry {EntryId} linked with the patient's stored token (HIP {HipId}): no token request sent")]
    public static partial void LinkingTokenReused(ILogger logger, Guid entryId, string hipId);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Information, Message = "Entry {EntryId}'s token request waits until {ProceedAt:O}: {Reason}")]
    public static partial void LinkingThrottled(ILogger logger, Guid entryId, DateTimeOffset proceedAt, string reason);
}
