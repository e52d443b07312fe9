using System.Globalization;
using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCodec;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCommands;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>A counter's service per day (<see cref="IProfileShareStore.RecordCounterServiceAsync"/>): one upsert per event.</summary>
internal static class SqliteCounterService
{
    public static async Task<(bool Result, QueueChange? Change)> RecordAsync(SqliteConnection connection, SqliteTransaction transaction, CounterServiceEvent e, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction,
            """
            INSERT INTO counter_service (hip_id, counter_code, service_day, running_token, called_at, served_count, total_service)
            VALUES ($hip, $counter, $day, $token, CASE WHEN $token IS NULL THEN NULL ELSE $at END, CASE WHEN $time IS NULL THEN 0 ELSE 1 END, COALESCE($time, 0))
            ON CONFLICT (hip_id, counter_code, service_day) DO UPDATE SET
                running_token = CASE WHEN $token IS NOT NULL AND (called_at IS NULL OR called_at <= $at) THEN $token ELSE running_token END,
                called_at     = CASE WHEN $token IS NOT NULL AND (called_at IS NULL OR called_at <= $at) THEN $at ELSE called_at END,
                served_count  = served_count + CASE WHEN $time IS NULL THEN 0 ELSE 1 END,
                total_service = total_service + COALESCE($time, 0)
            """, cancellationToken,
            ("$hip", e.HipId), ("$counter", e.CounterCode), ("$day", Day(e.ServiceDay)), ("$at", Ticks(e.At)),
            ("$token", e.CalledTokenNumber), ("$time", e.ServiceTime?.Ticks)).ConfigureAwait(false);
        return (true, null);
    }

    public static async Task<CounterServiceDay?> GetAsync(SqliteConnection connection, string hipId, string counterCode, DateOnly serviceDay, CancellationToken cancellationToken)
    {
        using var command = Command(connection, null,
            "SELECT running_token, called_at, served_count, total_service FROM counter_service WHERE hip_id = $hip AND counter_code = $counter AND service_day = $day",
            ("$hip", hipId), ("$counter", counterCode), ("$day", Day(serviceDay)));
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new CounterServiceDay
        {
            HipId = hipId,
            CounterCode = counterCode,
            ServiceDay = serviceDay,
            RunningTokenNumber = reader.IsDBNull(0) ? null : reader.GetInt32(0),
            CalledAt = reader.IsDBNull(1) ? null : FromTicks(reader.GetInt64(1)),
            ServedCount = reader.GetInt32(2),
            TotalServiceTime = TimeSpan.FromTicks(reader.GetInt64(3)),
        };
    }

    public static Task<int> PurgeAsync(SqliteConnection connection, SqliteTransaction transaction, DateOnly firstKeptDay, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "DELETE FROM counter_service WHERE service_day < $day", cancellationToken,
            ("$day", firstKeptDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
}
