using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Npgsql;
using static Abdm.ProfileShare.PostgreSql.Internal.PgCodec;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// Accepting a share (<see cref="IProfileShareStore.AcceptShareAsync"/>) in one READ COMMITTED transaction, in two
/// round trips before the commit:
/// <list type="number">
/// <item>a transaction-level advisory lock on (schema, HIP, counter, folded PHR address), so scans of one patient at one
/// counter are decided one after another (two first scans never both get a token), then the requestId lookup and the
/// re-scan lookup, each reading what committed before it ran;</item>
/// <item>for a new token, one statement that allocates it (an upsert on the counter row, RETURNING the number: the row
/// lock serializes allocations per HIP, counter and day, so there is no gap or duplicate) and inserts the entry with
/// that number; for a re-scan, the entry's update checked against the version read; then the requestId (its primary key
/// makes a concurrent duplicate fail, and the retry finds it), the acknowledgement item and the change notification.</item>
/// </list>
/// </summary>
internal static class PgIntake
{
    /// <summary>The entry document's token number (StoreJson writes camelCase).</summary>
    private const string TokenNumberPath = "'{tokenNumber}'";

    public static async Task<(ShareIntakeResult Result, QueueChange? Change)> AcceptShareAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgSql sql, ShareIntake intake, CancellationToken cancellationToken)
    {
        var health = HealthKey(intake.Profile.HealthId);
        QueueEntry? rescan = null;
        var lookup = new NpgsqlBatch(connection, transaction);
        await using (lookup.ConfigureAwait(false))
        {
            lookup.BatchCommands.Add(Statement("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                Text($"{sql.Schema}|{intake.HipId}|{intake.CounterCode}|{health}")));
            lookup.BatchCommands.Add(Statement(
                $"SELECT e.document::text, r.content_hash FROM {sql.ShareRequests} r JOIN {sql.Entries} e ON e.id = r.entry_id WHERE r.request_id = $1",
                Uuid(intake.ShareRequestId)));
            lookup.BatchCommands.Add(Statement(
                $"""
                SELECT document::text FROM {sql.Entries}
                WHERE hip_id = $1 AND counter_code = $2 AND health_id = $3 AND status IN {ActiveStatuses}
                  AND expires_at > $4 AND first_scanned_at >= $5
                ORDER BY first_scanned_at DESC LIMIT 1
                """,
                Text(intake.HipId), Text(intake.CounterCode), Text(health), Bigint(Ticks(intake.ReceivedAt)), Bigint(Ticks(intake.ReceivedAt - intake.RescanWindow))));

            var reader = await lookup.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerLifetime = reader.ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the lock's result
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var stored = await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(1);
                var conflict = ShareIntakeResult.IsConflict(stored, intake.ContentHash);
                return (new ShareIntakeResult(ShareIntakeOutcome.Duplicate, ReadEntry(reader.GetString(0))) { ContentConflict = conflict }, null);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rescan = ReadEntry(reader.GetString(0));
            }
        }

        QueueEntry entry;
        ShareIntakeOutcome outcome;
        var write = new NpgsqlBatch(connection, transaction);
        await using var writeLifetime = write.ConfigureAwait(false);
        if (rescan is not null)
        {
            entry = intake.Rescan(rescan);
            outcome = ShareIntakeOutcome.Rescanned;
            write.BatchCommands.Add(PgEntries.UpdateStatement(sql, entry, expectedVersion: rescan.Version));
        }
        else
        {
            entry = intake.NewEntry(tokenNumber: 0);
            outcome = ShareIntakeOutcome.Created;
            write.BatchCommands.Add(Statement(
                $"""
                WITH t AS (
                    INSERT INTO {sql.TokenCounters} AS c (hip_id, counter_code, service_day, last_token) VALUES ($1, $2, $3, 1)
                    ON CONFLICT (hip_id, counter_code, service_day) DO UPDATE SET last_token = c.last_token + 1
                    RETURNING last_token)
                INSERT INTO {sql.Entries} (id, hip_id, counter_code, health_id, status, service_day, token_number, first_scanned_at, last_scanned_at, expires_at, version, document)
                SELECT $4, $1, $2, $5, $6, $3, t.last_token, $7, $8, $9, $10, jsonb_set($11, {TokenNumberPath}, to_jsonb(t.last_token)) FROM t
                RETURNING token_number
                """,
                Text(entry.HipId), Text(entry.CounterCode), Date(entry.ServiceDay), Uuid(entry.Id), Text(health), Text(entry.Status.ToString()),
                Bigint(Ticks(entry.FirstScannedAt)), Bigint(Ticks(entry.LastScannedAt)), Bigint(Ticks(entry.ExpiresAt)), Bigint(entry.Version),
                Json(EntryDocument(entry))));
        }

        write.BatchCommands.Add(Statement($"INSERT INTO {sql.ShareRequests} (request_id, entry_id, content_hash) VALUES ($1, $2, $3)",
            Uuid(intake.ShareRequestId), Uuid(entry.Id), Text(string.IsNullOrEmpty(intake.ContentHash) ? null : intake.ContentHash)));
        write.BatchCommands.Add(PgOutbox.UpsertStatement(sql, intake.AcknowledgementItem(entry.Id)));
        var kind = outcome == ShareIntakeOutcome.Created ? QueueChangeKind.Added : QueueChangeKind.Updated;
        var change = new QueueChange(kind, entry.Id, entry.HipId, entry.CounterCode, entry.Version);
        write.BatchCommands.Add(Notify(sql, change));

        var writer = await write.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            if (outcome == ShareIntakeOutcome.Created)
            {
                if (!await writer.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("The token allocation returned no number.");
                }

                entry = entry with { TokenNumber = writer.GetInt32(0) };
            }
        }

        if (outcome == ShareIntakeOutcome.Rescanned && write.BatchCommands[0].RecordsAffected != 1)
        {
            // The entry was updated (claimed, say) between the lookup and this write: run the whole intake again.
            throw new PgRetryException();
        }

        return (new ShareIntakeResult(outcome, entry), change);
    }
}
