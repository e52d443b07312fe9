using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCodec;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCommands;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// The purge (<see cref="IProfileShareStore.PurgeAsync"/>) in the writer's transaction: expired entries with their
/// requestIds, correlations and outbox items, past token counters, expired linking tokens, stale linking-request guards.
/// </summary>
internal static class SqlitePurge
{
    public static async Task<(int Result, QueueChange? Change)> PurgeAsync(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken)
    {
        var parameter = ("$cutoff", (object?)Ticks(cutoff));
        const string Expired = "SELECT id FROM entries WHERE expires_at < $cutoff";
        await ExecuteAsync(connection, transaction, $"DELETE FROM share_requests WHERE entry_id IN ({Expired})", cancellationToken, parameter).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"DELETE FROM correlations WHERE entry_id IN ({Expired})", cancellationToken, parameter).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"DELETE FROM outbox WHERE entry_id IN ({Expired})", cancellationToken, parameter).ConfigureAwait(false);
        var entries = await ExecuteAsync(connection, transaction, "DELETE FROM entries WHERE expires_at < $cutoff", cancellationToken, parameter).ConfigureAwait(false);

        // Service days are local days; the cutoff's UTC date is never later than its local date east of UTC, so
        // counters of the cutoff's local day (and of any day still in use) are kept.
        await ExecuteAsync(connection, transaction, "DELETE FROM token_counters WHERE service_day < $day", cancellationToken,
            ("$day", Day(DateOnly.FromDateTime(cutoff.UtcDateTime)))).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "DELETE FROM linking_tokens WHERE expires_at < $tokens", cancellationToken,
            ("$tokens", Ticks(linkingTokenCutoff))).ConfigureAwait(false);
        await SqliteLinkingGuards.PurgeAsync(connection, transaction, cutoff, linkingTokenCutoff, cancellationToken).ConfigureAwait(false);
        await SqliteCounterService.PurgeAsync(connection, transaction, DateOnly.FromDateTime(cutoff.UtcDateTime), cancellationToken).ConfigureAwait(false);
        return (entries, (QueueChange?)null);
    }
}
