using System.Text.Json.Serialization.Metadata;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage.Internal;

namespace Abdm.ProfileShare.Storage;

/// <summary>
/// The JSON form in which the SDK's durable stores (SQLite, Redis) keep the records of <see cref="IProfileShareStore"/>:
/// source-generated (trimming- and AOT-safe) type information for
/// <c>JsonSerializer.Serialize(value, StoreJson.QueueEntry)</c> and <c>JsonSerializer.Deserialize(json, StoreJson.QueueEntry)</c>.
/// </summary>
/// <remarks>
/// <para>A store you write may keep records in any form that reads back exactly what was written. When it keeps them as
/// JSON documents, use these: a record written by one version of the SDK reads back in later ones (properties added
/// later are optional, enum values are written as names, and a stored error code written as a number still reads).</para>
/// <para>The form: web defaults (camelCase), enums as names, <see langword="null"/> values omitted, get-only computed
/// properties (for example <see cref="Model.SharedPatientProfile.AuthDateOfBirth"/>) not written, and
/// <see cref="DateTimeOffset"/> values with their offset and full precision.</para>
/// </remarks>
public static class StoreJson
{
    /// <summary>A queue entry (with its profile).</summary>
    public static JsonTypeInfo<QueueEntry> QueueEntry => StoreJsonContext.Default.QueueEntry;

    /// <summary>A shared profile on its own (the Redis store keeps it beside the entry so a script can replace it).</summary>
    public static JsonTypeInfo<SharedPatientProfile> SharedPatientProfile => StoreJsonContext.Default.SharedPatientProfile;

    /// <summary>An outbox item.</summary>
    public static JsonTypeInfo<OutboxItem> OutboxItem => StoreJsonContext.Default.OutboxItem;

    /// <summary>A correlation.</summary>
    public static JsonTypeInfo<Correlation> Correlation => StoreJsonContext.Default.Correlation;

    /// <summary>A linking-token record (its token is already encrypted when the workflow hands it to the store).</summary>
    public static JsonTypeInfo<LinkingTokenRecord> LinkingTokenRecord => StoreJsonContext.Default.LinkingTokenRecord;

    /// <summary>A change-feed event, for a store whose change feed crosses process boundaries (ids only, no patient data).</summary>
    public static JsonTypeInfo<QueueChange> QueueChange => StoreJsonContext.Default.QueueChange;
}
