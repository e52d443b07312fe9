using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCodec;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCommands;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// Linking tokens (stored as the workflow hands them over: encrypted), keyed by HIP id and folded PHR address.
/// </summary>
internal static class SqliteLinkingTokens
{
    public static async Task<LinkingTokenRecord?> GetLinkingTokenAsync(SqliteConnection connection, string hipId, string healthId, CancellationToken cancellationToken)
    {
        using var command = Command(connection, null, "SELECT document FROM linking_tokens WHERE hip_id = $hip AND health_id = $health",
            ("$hip", hipId), ("$health", HealthKey(healthId)));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string document
            ? JsonSerializer.Deserialize(document, StoreJson.LinkingTokenRecord)
            : null;
    }

    public static async Task<(bool Result, QueueChange? Change)> MarkUsedAsync(SqliteConnection connection, SqliteTransaction transaction, string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        using var select = Command(connection, transaction, "SELECT document FROM linking_tokens WHERE hip_id = $hip AND health_id = $health",
            ("$hip", hipId), ("$health", HealthKey(healthId)));
        if (await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string document
            || JsonSerializer.Deserialize(document, StoreJson.LinkingTokenRecord) is not { UsedAt: null } token)
        {
            return (false, (QueueChange?)null);
        }

        // The document only: expires_at stays (a row from before ExpiresAt existed keeps its backfilled expiry).
        await ExecuteAsync(connection, transaction, "UPDATE linking_tokens SET document = $document WHERE hip_id = $hip AND health_id = $health", cancellationToken,
            ("$hip", hipId), ("$health", HealthKey(healthId)),
            ("$document", JsonSerializer.Serialize(token with { UsedAt = usedAt }, StoreJson.LinkingTokenRecord))).ConfigureAwait(false);
        return (true, (QueueChange?)null);
    }

    public static Task<int> WriteLinkingTokenAsync(SqliteConnection connection, SqliteTransaction transaction, LinkingTokenRecord token, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT OR REPLACE INTO linking_tokens (hip_id, health_id, expires_at, document) VALUES ($hip, $health, $expires, $document)", cancellationToken,
            ("$hip", token.HipId), ("$health", HealthKey(token.HealthId)), ("$expires", token.ExpiresAt is { } expires ? Ticks(expires) : null),
            ("$document", JsonSerializer.Serialize(token, StoreJson.LinkingTokenRecord)));
}
