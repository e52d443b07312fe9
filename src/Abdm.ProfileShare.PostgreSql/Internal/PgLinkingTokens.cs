using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Npgsql;
using static Abdm.ProfileShare.PostgreSql.Internal.PgCodec;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// Linking tokens (stored as the workflow hands them over: encrypted), keyed by HIP id and folded PHR address; and the
/// purge.
/// </summary>
internal static class PgLinkingTokens
{
    public static async Task<LinkingTokenRecord?> GetAsync(NpgsqlConnection connection, PgSql sql, string hipId, string healthId, CancellationToken cancellationToken)
    {
        var command = Command(connection, null, $"SELECT document::text FROM {sql.LinkingTokens} WHERE hip_id = $1 AND health_id = $2",
            Text(hipId), Text(HealthKey(healthId)));
        await using var commandLifetime = command.ConfigureAwait(false);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string document
            ? JsonSerializer.Deserialize(document, StoreJson.LinkingTokenRecord)
            : null;
    }

    /// <summary>Reads the record under a row lock and writes it back marked used, when it is not yet.</summary>
    public static async Task<bool> MarkUsedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgSql sql, string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        string? document;
        var select = Command(connection, transaction, $"SELECT document::text FROM {sql.LinkingTokens} WHERE hip_id = $1 AND health_id = $2 FOR UPDATE",
            Text(hipId), Text(HealthKey(healthId)));
        await using (select.ConfigureAwait(false))
        {
            document = await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (document is null || JsonSerializer.Deserialize(document, StoreJson.LinkingTokenRecord) is not { UsedAt: null } token)
        {
            return false;
        }

        var update = Command(connection, transaction, $"UPDATE {sql.LinkingTokens} SET document = $3 WHERE hip_id = $1 AND health_id = $2",
            Text(hipId), Text(HealthKey(healthId)), Json(JsonSerializer.Serialize(token with { UsedAt = usedAt }, StoreJson.LinkingTokenRecord)));
        await using var updateLifetime = update.ConfigureAwait(false);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static NpgsqlBatchCommand UpsertStatement(PgSql sql, LinkingTokenRecord token) =>
        Statement(
            $"""
            INSERT INTO {sql.LinkingTokens} (hip_id, health_id, expires_at, document) VALUES ($1, $2, $3, $4)
            ON CONFLICT (hip_id, health_id) DO UPDATE SET expires_at = excluded.expires_at, document = excluded.document
            """,
            Text(token.HipId), Text(HealthKey(token.HealthId)), Bigint(token.ExpiresAt is { } expires ? Ticks(expires) : null),
            Json(JsonSerializer.Serialize(token, StoreJson.LinkingTokenRecord)));

    /// <summary>
    /// Expired entries with their requestIds, correlations and outbox items; token counters of days before the cutoff's
    /// day; expired linking tokens; past counter service days; stale linking-request guards; change-log rows older than an hour (by the database clock: they only serve a
    /// listener that reconnects). One transaction, one round trip.
    /// </summary>
    public static async Task<int> PurgeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgSql sql, DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken)
    {
        const string Expired = "SELECT id FROM {0} WHERE expires_at < $1";
        var expired = string.Format(System.Globalization.CultureInfo.InvariantCulture, Expired, sql.Entries);
        var batch = new NpgsqlBatch(connection, transaction);
        await using var batchLifetime = batch.ConfigureAwait(false);
        batch.BatchCommands.Add(Statement($"DELETE FROM {sql.ShareRequests} WHERE entry_id IN ({expired})", Bigint(Ticks(cutoff))));
        batch.BatchCommands.Add(Statement($"DELETE FROM {sql.Correlations} WHERE entry_id IN ({expired})", Bigint(Ticks(cutoff))));
        batch.BatchCommands.Add(Statement($"DELETE FROM {sql.Outbox} WHERE entry_id IN ({expired})", Bigint(Ticks(cutoff))));
        var entries = Statement($"DELETE FROM {sql.Entries} WHERE expires_at < $1", Bigint(Ticks(cutoff)));
        batch.BatchCommands.Add(entries);

        // Service days are local days; the cutoff's UTC date is never later than its local date east of UTC, so counters
        // of the cutoff's local day (and of any day still in use) are kept.
        batch.BatchCommands.Add(Statement($"DELETE FROM {sql.TokenCounters} WHERE service_day < $1", Date(DateOnly.FromDateTime(cutoff.UtcDateTime))));
        batch.BatchCommands.Add(Statement($"DELETE FROM {sql.LinkingTokens} WHERE expires_at < $1", Bigint(Ticks(linkingTokenCutoff))));
        batch.BatchCommands.Add(Statement($"DELETE FROM {sql.Changes} WHERE at < now() - interval '1 hour'"));
        batch.BatchCommands.Add(Statement($"DELETE FROM {sql.CounterService} WHERE service_day < $1", Date(DateOnly.FromDateTime(cutoff.UtcDateTime))));
        batch.BatchCommands.Add(Statement(
            $"DELETE FROM {sql.LinkingGuards} WHERE (last_request_at IS NULL OR last_request_at < $1) AND (blocked_until IS NULL OR blocked_until < $2)",
            Bigint(Ticks(cutoff)), Bigint(Ticks(linkingTokenCutoff))));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return entries.RecordsAffected;
    }
}
