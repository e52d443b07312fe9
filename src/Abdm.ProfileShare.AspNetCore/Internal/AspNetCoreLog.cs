using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.AspNetCore.Internal;

/// <summary>Log messages of the ASP.NET Core package (event ids 2000-2099): request ids and states only.</summary>
internal static partial class AspNetCoreLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "Callback {Path} refused: X-HIP-ID is not a HIP this host serves")]
    public static partial void UnknownHip(ILogger logger, PathString path);

    // A warning per heartbeat: the outbox processor reports a store outage once as an error (1100) and its end (1101).
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Heartbeat: the store is unreachable ({Reason})")]
    public static partial void HeartbeatStoreDown(ILogger logger, string reason);

    // The store's own exception is not logged: its message is the driver's, which this package cannot vouch for (a
    // connection string, a server name); the store logs its failures itself (3000-3599).
    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Share {RequestId} not stored: the store failed ({ExceptionType}); answered 503 with Retry-After so the gateway delivers it again")]
    public static partial void ShareNotStored(ILogger logger, Guid requestId, string exceptionType);
}
