using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// Every log message of the PostgreSQL store, with stable event ids (3400-3599). Messages carry the schema, versions,
/// counts, ids and exception types only: never patient data, PHR addresses, linking tokens or connection strings.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "PostgreSQL profile-share store schema {Schema} migrated from version {FromVersion} to {ToVersion}")]
    public static partial void SchemaMigrated(ILogger logger, string schema, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Debug, Message = "PostgreSQL profile-share store schema {Schema} is current (version {Version})")]
    public static partial void SchemaCurrent(ILogger logger, string schema, int version);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "PostgreSQL profile-share store purged {Count} expired entries (schema {Schema})")]
    public static partial void Purged(ILogger logger, int count, string schema);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Debug, Message = "PostgreSQL profile-share store leased {Count} outbox items to {Owner}")]
    public static partial void Leased(ILogger logger, int count, string owner);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Debug, Message = "PostgreSQL profile-share store retries {Operation} after a transient failure ({SqlState}), attempt {Attempt}")]
    public static partial void Retrying(ILogger logger, string operation, string sqlState, int attempt);

    [LoggerMessage(EventId = 3405, Level = LogLevel.Debug, Message = "PostgreSQL profile-share store listens for changes on {Channel}")]
    public static partial void Listening(ILogger logger, string channel);

    [LoggerMessage(EventId = 3406, Level = LogLevel.Warning, Message = "PostgreSQL profile-share store lost its change-feed connection ({ExceptionType}); reconnecting")]
    public static partial void ListenerLost(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 3407, Level = LogLevel.Information, Message = "PostgreSQL profile-share store change feed reconnected; {Count} missed change(s) re-read")]
    public static partial void ListenerResumed(ILogger logger, int count);

    [LoggerMessage(EventId = 3408, Level = LogLevel.Warning, Message = "PostgreSQL profile-share store ignored an unreadable change notification (schema {Schema})")]
    public static partial void ChangeUnreadable(ILogger logger, string schema);

    [LoggerMessage(EventId = 3409, Level = LogLevel.Debug, Message = "PostgreSQL profile-share store waits for the migration lock of schema {Schema}")]
    public static partial void WaitingForMigrationLock(ILogger logger, string schema);

    [LoggerMessage(EventId = 3410, Level = LogLevel.Debug, Message = "PostgreSQL profile-share store change feed still cannot reconnect ({ExceptionType}); trying again")]
    public static partial void ListenerStillDown(ILogger logger, string exceptionType);
}
