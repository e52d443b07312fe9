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
}
