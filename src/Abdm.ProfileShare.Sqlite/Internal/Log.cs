using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// Every log message of the SQLite store, with stable event ids (3000-3199). Messages carry versions, counts and
/// ids only: never patient data, PHR addresses or linking tokens.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "SQLite profile-share store schema migrated from version {FromVersion} to {ToVersion}")]
    public static partial void SchemaMigrated(ILogger logger, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "SQLite profile-share store schema is current (version {Version}, journal mode {JournalMode})")]
    public static partial void SchemaCurrent(ILogger logger, int version, string journalMode);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "SQLite profile-share store purged {Count} expired entries")]
    public static partial void Purged(ILogger logger, int count);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "SQLite profile-share store leased {Count} outbox items to {Owner}")]
    public static partial void Leased(ILogger logger, int count, string owner);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "SQLite profile-share store could not restrict {File} to its owner (mode 0600); it holds patient data: make this process its owner or restrict the folder")]
    public static partial void FileModeNotTightened(ILogger logger, string file, Exception exception);
}
