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

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Gateway session request failed (HTTP {StatusCode}, code {ErrorCode})")]
    public static partial void SessionRequestFailed(ILogger logger, int? statusCode, string? errorCode, Exception? exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Gateway session token dropped after the gateway refused it")]
    public static partial void SessionTokenInvalidated(ILogger logger);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Gateway refused the session token on {Operation} (HTTP {StatusCode}); retrying once with a new token")]
    public static partial void SessionTokenRefused(ILogger logger, string operation, int statusCode);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Gateway accepted {Operation} requestId {RequestId} (HTTP {StatusCode}) in {ElapsedMs:F1} ms")]
    public static partial void GatewayCallAccepted(ILogger logger, string operation, Guid? requestId, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Gateway rejected {Operation} requestId {RequestId}: HTTP {StatusCode}, code {ErrorCode}")]
    public static partial void GatewayCallRejected(ILogger logger, string operation, Guid? requestId, int statusCode, string? errorCode);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Gateway unreachable for {Operation} requestId {RequestId} ({Reason})")]
    public static partial void GatewayCallUnreachable(ILogger logger, string operation, Guid? requestId, string reason);
}
