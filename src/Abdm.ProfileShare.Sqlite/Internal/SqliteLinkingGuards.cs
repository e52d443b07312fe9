using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCodec;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCommands;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// The linking-request guards (<see cref="IProfileShareStore.TryBeginLinkingRequestAsync"/>,
/// <see cref="IProfileShareStore.BlockLinkingRequestsAsync"/>) in the writer's transaction, so the read and the write of
/// one decision are atomic across processes sharing the database file.
/// </summary>
internal static class SqliteLinkingGuards
{
    public static async Task<(LinkingRequestGuard Result, QueueChange? Change)> TryBeginAsync(SqliteConnection connection, SqliteTransaction transaction, string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        var guard = await ReadAsync(connection, transaction, hipId, healthId, cancellationToken).ConfigureAwait(false);
        if (guard.IsBlocked(now) || guard.LastRequestId == requestId || guard.LastRequestAt + window > now)
        {
            return (guard, null);
        }

        guard = guard with { LastRequestId = requestId, LastRequestAt = now };
        await ExecuteAsync(connection, transaction,
            """
            INSERT INTO linking_guards (hip_id, health_id, last_request_id, last_request_at) VALUES ($hip, $health, $request, $at)
            ON CONFLICT (hip_id, health_id) DO UPDATE SET last_request_id = excluded.last_request_id, last_request_at = excluded.last_request_at
            """, cancellationToken,
            ("$hip", hipId), ("$health", guard.HealthId), ("$request", Id(requestId)), ("$at", Ticks(now))).ConfigureAwait(false);
        return (guard, null);
    }

    public static async Task<(bool Result, QueueChange? Change)> BlockAsync(SqliteConnection connection, SqliteTransaction transaction, string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction,
            """
            INSERT INTO linking_guards (hip_id, health_id, blocked_until, block_code) VALUES ($hip, $health, $until, $code)
            ON CONFLICT (hip_id, health_id) DO UPDATE SET blocked_until = excluded.blocked_until, block_code = excluded.block_code
            WHERE linking_guards.blocked_until IS NULL OR linking_guards.blocked_until < excluded.blocked_until
            """, cancellationToken,
            ("$hip", hipId), ("$health", HealthKey(healthId)), ("$until", Ticks(until)), ("$code", errorCode)).ConfigureAwait(false);
        return (true, null);
    }

    public static Task<int> PurgeAsync(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset cutoff, DateTimeOffset blockCutoff, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            """
            DELETE FROM linking_guards
            WHERE (last_request_at IS NULL OR last_request_at < $cutoff) AND (blocked_until IS NULL OR blocked_until < $blocks)
            """, cancellationToken,
            ("$cutoff", Ticks(cutoff)), ("$blocks", Ticks(blockCutoff)));

    private static async Task<LinkingRequestGuard> ReadAsync(SqliteConnection connection, SqliteTransaction transaction, string hipId, string healthId, CancellationToken cancellationToken)
    {
        var key = HealthKey(healthId);
        using var command = Command(connection, transaction,
            "SELECT last_request_id, last_request_at, blocked_until, block_code FROM linking_guards WHERE hip_id = $hip AND health_id = $health",
            ("$hip", hipId), ("$health", key));
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var guard = new LinkingRequestGuard { HipId = hipId, HealthId = key };
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return guard;
        }

        return guard with
        {
            LastRequestId = reader.IsDBNull(0) ? null : Guid.Parse(reader.GetString(0)),
            LastRequestAt = reader.IsDBNull(1) ? null : FromTicks(reader.GetInt64(1)),
            BlockedUntil = reader.IsDBNull(2) ? null : FromTicks(reader.GetInt64(2)),
            BlockCode = reader.IsDBNull(3) ? null : reader.GetString(3),
        };
    }
}
