using Abdm.ProfileShare.Storage;
using Npgsql;
using NpgsqlTypes;
using static Abdm.ProfileShare.PostgreSql.Internal.PgCodec;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// The linking-request guards and a counter's service per day. Each decision is one upsert whose conditions are
/// evaluated on the locked row (ON CONFLICT DO UPDATE ... WHERE), so it is atomic across instances.
/// </summary>
internal static class PgLinkingGuards
{
    public static async Task<LinkingRequestGuard> TryBeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgSql sql, string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        var health = HealthKey(healthId);
        var upsert = Command(connection, transaction,
            $"""
            INSERT INTO {sql.LinkingGuards} AS g (hip_id, health_id, last_request_id, last_request_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (hip_id, health_id) DO UPDATE SET last_request_id = excluded.last_request_id, last_request_at = excluded.last_request_at
            WHERE NOT (g.blocked_until IS NOT NULL AND g.blocked_until > $4)
              AND g.last_request_id IS DISTINCT FROM $3
              AND NOT (g.last_request_at IS NOT NULL AND g.last_request_at + $5 > $4)
            """,
            Text(hipId), Text(health), Uuid(requestId), Bigint(Ticks(now)), Bigint(window.Ticks));
        await using (upsert.ConfigureAwait(false))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var select = Command(connection, transaction,
            $"SELECT last_request_id, last_request_at, blocked_until, block_code FROM {sql.LinkingGuards} WHERE hip_id = $1 AND health_id = $2",
            Text(hipId), Text(health));
        await using var selectLifetime = select.ConfigureAwait(false);
        var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerLifetime = reader.ConfigureAwait(false);
        var guard = new LinkingRequestGuard { HipId = hipId, HealthId = health };
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return guard;
        }

        return guard with
        {
            LastRequestId = reader.IsDBNull(0) ? null : reader.GetGuid(0),
            LastRequestAt = reader.IsDBNull(1) ? null : FromTicks(reader.GetInt64(1)),
            BlockedUntil = reader.IsDBNull(2) ? null : FromTicks(reader.GetInt64(2)),
            BlockCode = reader.IsDBNull(3) ? null : reader.GetString(3),
        };
    }

    public static async Task<bool> BlockAsync(NpgsqlConnection connection, PgSql sql, string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var command = Command(connection, null,
            $"""
            INSERT INTO {sql.LinkingGuards} AS g (hip_id, health_id, blocked_until, block_code) VALUES ($1, $2, $3, $4)
            ON CONFLICT (hip_id, health_id) DO UPDATE SET blocked_until = excluded.blocked_until, block_code = excluded.block_code
            WHERE g.blocked_until IS NULL OR g.blocked_until < excluded.blocked_until
            """,
            Text(hipId), Text(HealthKey(healthId)), Bigint(Ticks(until)), Text(errorCode));
        await using var commandLifetime = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static async Task<bool> RecordServiceAsync(NpgsqlConnection connection, PgSql sql, CounterServiceEvent e, CancellationToken cancellationToken)
    {
        var command = Command(connection, null,
            $"""
            INSERT INTO {sql.CounterService} AS c (hip_id, counter_code, service_day, running_token, called_at, served_count, total_service)
            VALUES ($1, $2, $3, $4, CASE WHEN $4 IS NULL THEN NULL ELSE $5 END, CASE WHEN $6 IS NULL THEN 0 ELSE 1 END, COALESCE($6, 0))
            ON CONFLICT (hip_id, counter_code, service_day) DO UPDATE SET
                running_token = CASE WHEN excluded.running_token IS NOT NULL AND (c.called_at IS NULL OR c.called_at <= excluded.called_at) THEN excluded.running_token ELSE c.running_token END,
                called_at     = CASE WHEN excluded.running_token IS NOT NULL AND (c.called_at IS NULL OR c.called_at <= excluded.called_at) THEN excluded.called_at ELSE c.called_at END,
                served_count  = c.served_count + excluded.served_count,
                total_service = c.total_service + excluded.total_service
            """,
            Text(e.HipId), Text(e.CounterCode), Date(e.ServiceDay),
            new NpgsqlParameter { Value = (object?)e.CalledTokenNumber ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
            Bigint(Ticks(e.At)), Bigint(e.ServiceTime?.Ticks));
        await using var commandLifetime = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static async Task<CounterServiceDay?> GetServiceAsync(NpgsqlConnection connection, PgSql sql, string hipId, string counterCode, DateOnly day, CancellationToken cancellationToken)
    {
        var command = Command(connection, null,
            $"SELECT running_token, called_at, served_count, total_service FROM {sql.CounterService} WHERE hip_id = $1 AND counter_code = $2 AND service_day = $3",
            Text(hipId), Text(counterCode), Date(day));
        await using var commandLifetime = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerLifetime = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new CounterServiceDay
        {
            HipId = hipId,
            CounterCode = counterCode,
            ServiceDay = day,
            RunningTokenNumber = reader.IsDBNull(0) ? null : reader.GetInt32(0),
            CalledAt = reader.IsDBNull(1) ? null : FromTicks(reader.GetInt64(1)),
            ServedCount = reader.GetInt32(2),
            TotalServiceTime = TimeSpan.FromTicks(reader.GetInt64(3)),
        };
    }
}
