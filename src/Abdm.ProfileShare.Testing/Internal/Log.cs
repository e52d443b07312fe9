using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// The simulator's log messages (event ids 4000-4199; v3 additions 4300-4349). They carry operations, request ids, HIP ids, statuses and
/// rules only: never patient data, tokens or secrets.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "ABDM gateway simulator listening at {BaseUrl}")]
    public static partial void Started(ILogger logger, Uri baseUrl);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Received {Operation}: answered HTTP {StatusCode}")]
    public static partial void Received(ILogger logger, GatewayOperation operation, int statusCode);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Rejected {Operation} requestId {RequestId}: HTTP {StatusCode}, {Rule}")]
    public static partial void Rejected(ILogger logger, GatewayOperation operation, Guid? requestId, int statusCode, GatewayRejection rule);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Fault {Fault} applied to {Operation}")]
    public static partial void FaultApplied(ILogger logger, FaultKind fault, GatewayOperation operation);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Sent {Operation} requestId {RequestId} to HIP {HipId}: HTTP {StatusCode}")]
    public static partial void Sent(ILogger logger, GatewayOperation operation, Guid requestId, string hipId, int statusCode);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Could not deliver {Operation} requestId {RequestId} to HIP {HipId}: {Reason}")]
    public static partial void NotDelivered(ILogger logger, GatewayOperation operation, Guid requestId, string hipId, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Signing key rotated; the new key id is {KeyId}")]
    public static partial void KeyRotated(ILogger logger, string keyId);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Error, Message = "A background callback of the simulator failed")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "ABDM gateway simulator stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "v3 signing key rotated; the new key id is {KeyId}")]
    public static partial void V3KeyRotated(ILogger logger, string keyId);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Debug, Message = "v3 generate-token requestId {RequestId} from HIP {HipId}: demographics {Outcome}")]
    public static partial void GenerateTokenChecked(ILogger logger, Guid requestId, string hipId, string outcome);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "v3 generate-token requestId {RequestId}: X-HIP-ID {HipId} is not a routable bridge service id; accepted, no callback will be sent")]
    public static partial void NotRouted(ILogger logger, Guid requestId, string hipId);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "Redelivering {Operation} requestId {RequestId} to HIP {HipId} (the first delivery was not accepted)")]
    public static partial void Redelivering(ILogger logger, GatewayOperation operation, Guid requestId, string hipId);
}
