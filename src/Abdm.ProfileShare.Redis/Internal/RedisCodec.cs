using System.Globalization;
using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using StackExchange.Redis;

namespace Abdm.ProfileShare.Redis.Internal;

/// <summary>Converts between the store's records and the values the scripts read and write.</summary>
internal static class RedisCodec
{
    public const string None = "-";

    public static string Optional(string? value) => value is null ? None : "+" + value;

    public static string Time(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string value) => DateTimeOffset.ParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    /// <summary>Microseconds since the Unix epoch: exact in a Lua number (a double) and in a sorted-set score.</summary>
    public static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public static string MicrosText(DateTimeOffset time) => Micros(time).ToString(CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static long Milliseconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds));

    /// <summary>The PHR address as keys and the <c>hid</c> field hold it (<see cref="PhrAddress.Fold"/>).</summary>
    public static string HealthKey(string healthId) => PhrAddress.Fold(healthId);

    public static bool IsActive(QueueEntryStatus status) => status is QueueEntryStatus.Received or QueueEntryStatus.Waiting or QueueEntryStatus.Claimed;

    public static string EntryDocument(QueueEntry entry) => JsonSerializer.Serialize(entry, StoreJson.QueueEntry);

    public static string ProfileDocument(SharedPatientProfile profile) => JsonSerializer.Serialize(profile, StoreJson.SharedPatientProfile);

    public static string ItemDocument(OutboxItem item) => JsonSerializer.Serialize(item, StoreJson.OutboxItem);

    /// <summary>Reads a flat name/value list (HGETALL) into a dictionary.</summary>
    public static Dictionary<string, string> Fields(RedisResult result)
    {
        var flat = (RedisResult[]?)result ?? [];
        var fields = new Dictionary<string, string>(flat.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            fields[(string?)flat[i] ?? ""] = (string?)flat[i + 1] ?? "";
        }

        return fields;
    }

    /// <summary>Rebuilds an entry: the JSON document, overridden by the fields a script may have changed.</summary>
    public static QueueEntry ReadEntry(Dictionary<string, string> fields)
    {
        var document = JsonSerializer.Deserialize(fields["doc"], StoreJson.QueueEntry)
            ?? throw new InvalidOperationException("A stored queue entry is empty.");
        return document with
        {
            TokenNumber = int.Parse(fields["token"], CultureInfo.InvariantCulture),
            Profile = JsonSerializer.Deserialize(fields["profile"], StoreJson.SharedPatientProfile)
                ?? throw new InvalidOperationException("A stored profile is empty."),
            WireVersion = Enum.Parse<WireVersion>(fields["wire"]),
            LatestShareRequestId = Guid.Parse(fields["latest"]),
            ScanCount = int.Parse(fields["scans"], CultureInfo.InvariantCulture),
            FirstScannedAt = fields.TryGetValue("first", out var first) ? ParseTime(first) : document.FirstScannedAt,
            LastScannedAt = ParseTime(fields["last"]),
            ExpiresAt = ParseTime(fields["expires"]),
            Acknowledgement = Enum.Parse<AcknowledgementState>(fields["ack"]),
            Status = Enum.Parse<QueueEntryStatus>(fields["status"]),
            Version = long.Parse(fields["version"], CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// Rebuilds an outbox item: the JSON document, overridden by its entry (a re-scan's acknowledgement is written
    /// before the script knows which entry it refreshes), due time, attempts, error and lease.
    /// </summary>
    public static OutboxItem ReadItem(Dictionary<string, string> fields)
    {
        var document = JsonSerializer.Deserialize(fields["doc"], StoreJson.OutboxItem)
            ?? throw new InvalidOperationException("A stored outbox item is empty.");
        return document with
        {
            EntryId = Guid.Parse(fields["entry"]),
            DueAt = ParseTime(fields["due"]),
            Attempts = int.Parse(fields["attempts"], CultureInfo.InvariantCulture),
            LastError = fields.GetValueOrDefault("err"),
            LeaseOwner = fields.GetValueOrDefault("owner"),
            LeaseExpiresAt = fields.TryGetValue("lease", out var lease) ? ParseTime(lease) : null,
        };
    }

    public static OutboxItem ReadItemDocument(string document) =>
        JsonSerializer.Deserialize(document, StoreJson.OutboxItem) ?? throw new InvalidOperationException("A stored outbox item is empty.");
}
