using System.Globalization;
using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>Converts between the store's records and the values the SQL statements read and write.</summary>
internal static class SqliteCodec
{
    /// <summary>The statuses of an entry still in the queue, as an SQL list.</summary>
    public const string ActiveStatuses = "('Received', 'Waiting', 'Claimed')";

    public static QueueEntry ReadEntry(string document) =>
        JsonSerializer.Deserialize(document, StoreJson.QueueEntry) ?? throw new InvalidOperationException("A stored queue entry is empty.");

    public static OutboxItem ReadOutboxItem(string document) =>
        JsonSerializer.Deserialize(document, StoreJson.OutboxItem) ?? throw new InvalidOperationException("A stored outbox item is empty.");

    public static bool IsTerminal(QueueEntryStatus status) => status is QueueEntryStatus.Completed or QueueEntryStatus.Dismissed or QueueEntryStatus.Rejected;

    public static string Id(Guid id) => id.ToString("D");

    /// <summary>The PHR address as the health_id columns hold it (<see cref="PhrAddress.Fold"/>).</summary>
    public static string HealthKey(string healthId) => PhrAddress.Fold(healthId);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static long Ticks(DateTimeOffset time) => time.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
