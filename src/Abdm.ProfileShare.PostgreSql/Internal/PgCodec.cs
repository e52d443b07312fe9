using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>Converts between the store's records and the values the SQL statements read and write.</summary>
internal static class PgCodec
{
    /// <summary>The statuses of an entry still in the queue, as an SQL list.</summary>
    public const string ActiveStatuses = "('Received', 'Waiting', 'Claimed')";

    /// <summary>The database clock as UTC ticks (what every time column holds).</summary>
    public const string DatabaseNowTicks = "((extract(epoch FROM clock_timestamp()) * 10000000)::bigint + 621355968000000000)";

    public static QueueEntry ReadEntry(string document) =>
        JsonSerializer.Deserialize(document, StoreJson.QueueEntry) ?? throw new InvalidOperationException("A stored queue entry is empty.");

    public static string EntryDocument(QueueEntry entry) => JsonSerializer.Serialize(entry, StoreJson.QueueEntry);

    public static bool IsTerminal(QueueEntryStatus status) => status is QueueEntryStatus.Completed or QueueEntryStatus.Dismissed or QueueEntryStatus.Rejected;

    /// <summary>The PHR address as the health_id columns hold it (<see cref="PhrAddress.Fold"/>).</summary>
    public static string HealthKey(string healthId) => PhrAddress.Fold(healthId);

    public static long Ticks(DateTimeOffset time) => time.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    public static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Json(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Jsonb };

    public static NpgsqlParameter Uuid(Guid value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Uuid };

    public static NpgsqlParameter Bigint(long? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };

    public static NpgsqlParameter Integer(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };

    public static NpgsqlParameter Date(DateOnly value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Date };

    /// <summary>A command of a batch, with positional parameters (<c>$1</c>, <c>$2</c>, ...).</summary>
    public static NpgsqlBatchCommand Statement(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>A command on a connection (in a transaction when given), with positional parameters.</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>
    /// The statement that records a change and NOTIFYs it at commit: <c>{seq}|{QueueChange JSON}</c> on the schema's
    /// channel. Ids and versions only, never patient data.
    /// </summary>
    public static NpgsqlBatchCommand Notify(PgSql sql, QueueChange change) =>
        Statement(sql.Notify, Text(JsonSerializer.Serialize(change, StoreJson.QueueChange)));
}
