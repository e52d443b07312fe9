using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Redis.Internal;

/// <summary>
/// Every log message of the Redis store, with stable event ids (3200-3399). Messages carry prefixes, counts and ids
/// only: never patient data, PHR addresses or linking tokens.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Debug, Message = "Redis profile-share store subscribed to its change feed (prefix {KeyPrefix})")]
    public static partial void Subscribed(ILogger logger, string keyPrefix);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Redis profile-share store ignored an unreadable change message (prefix {KeyPrefix})")]
    public static partial void ChangeMessageUnreadable(ILogger logger, string keyPrefix, Exception? exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Redis profile-share store purged {Count} expired entries (prefix {KeyPrefix})")]
    public static partial void Purged(ILogger logger, int count, string keyPrefix);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Debug, Message = "Redis profile-share store leased {Count} outbox items to {Owner}")]
    public static partial void Leased(ILogger logger, int count, string owner);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Error, Message = "Redis profile-share store could not connect or subscribe (prefix {KeyPrefix})")]
    public static partial void ConnectFailed(ILogger logger, string keyPrefix, Exception exception);
}
