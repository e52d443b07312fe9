using System.Text.Json;
using System.Text.Json.Serialization;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage.Internal;

/// <summary>
/// The source-generated serializer context the durable stores (SQLite, Redis) use to persist queue entries,
/// outbox items, correlations, linking tokens and change-feed messages. Stores reach it through the public
/// <see cref="StoreJson"/>; the context itself stays internal.
/// </summary>
/// <remarks>
/// Web defaults (camelCase), enums as names (readable and stable when enum members are reordered), nulls
/// omitted, and get-only computed properties (for example <see cref="SharedPatientProfile.AuthDateOfBirth"/>)
/// not written. <see cref="DateTimeOffset"/> values keep their offset and full precision, so a stored entry
/// reads back exactly as it was written.
/// </remarks>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(QueueEntry))]
[JsonSerializable(typeof(SharedPatientProfile))]
[JsonSerializable(typeof(OutboxItem))]
[JsonSerializable(typeof(Correlation))]
[JsonSerializable(typeof(LinkingTokenRecord))]
[JsonSerializable(typeof(QueueChange))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
