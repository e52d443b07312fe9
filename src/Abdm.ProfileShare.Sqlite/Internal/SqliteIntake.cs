using System.Globalization;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCodec;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCommands;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// Accepting a share (<see cref="IProfileShareStore.AcceptShareAsync"/>) in the writer's transaction: deduplication by
/// requestId, the re-scan lookup, token allocation (an UPSERT ... RETURNING on the counter row), the entry, the
/// requestId's record and the acknowledgement item.
/// </summary>
internal static class SqliteIntake
{
    public static async Task<(ShareIntakeResult Result, QueueChange? Change)> AcceptShareAsync(SqliteConnection connection, SqliteTransaction transaction, ShareIntake intake, CancellationToken cancellationToken)
    {
        using (var duplicate = Command(connection, transaction,
            "SELECT e.document, r.content_hash FROM share_requests r JOIN entries e ON e.id = r.entry_id WHERE r.request_id = $request",
            ("$request", Id(intake.ShareRequestId))))
        {
            using var reader = await duplicate.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // A row stored before migration 3 has no hash (NULL): never a conflict.
                var stored = await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(1);
                var conflict = ShareIntakeResult.IsConflict(stored, intake.ContentHash);
                return (new ShareIntakeResult(ShareIntakeOutcome.Duplicate, ReadEntry(reader.GetString(0))) { ContentConflict = conflict }, (QueueChange?)null);
            }
        }

        QueueEntry? rescan = null;
        using (var find = Command(connection, transaction,
            $"""
            SELECT document FROM entries
            WHERE hip_id = $hip AND counter_code = $counter AND health_id = $health AND status IN {ActiveStatuses}
              AND expires_at > $now AND first_scanned_at >= $since
            ORDER BY first_scanned_at DESC LIMIT 1
            """,
            ("$hip", intake.HipId), ("$counter", intake.CounterCode), ("$health", HealthKey(intake.Profile.HealthId)),
            ("$now", Ticks(intake.ReceivedAt)), ("$since", Ticks(intake.ReceivedAt - intake.RescanWindow))))
        {
            if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string document)
            {
                rescan = ReadEntry(document);
            }
        }

        QueueEntry entry;
        ShareIntakeOutcome outcome;
        if (rescan is not null)
        {
            entry = intake.Rescan(rescan);
            outcome = ShareIntakeOutcome.Rescanned;
            await SqliteEntries.WriteEntryAsync(connection, transaction, entry, expectedVersion: rescan.Version, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            int token;
            using (var allocate = Command(connection, transaction,
                """
                INSERT INTO token_counters (hip_id, counter_code, service_day, last_token) VALUES ($hip, $counter, $day, 1)
                ON CONFLICT (hip_id, counter_code, service_day) DO UPDATE SET last_token = last_token + 1
                RETURNING last_token
                """,
                ("$hip", intake.HipId), ("$counter", intake.CounterCode), ("$day", Day(intake.ServiceDay))))
            {
                token = Convert.ToInt32(await allocate.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }

            entry = intake.NewEntry(token);
            outcome = ShareIntakeOutcome.Created;
            await SqliteEntries.WriteEntryAsync(connection, transaction, entry, expectedVersion: null, cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction,
            "INSERT OR REPLACE INTO share_requests (request_id, entry_id, content_hash) VALUES ($request, $entry, $hash)", cancellationToken,
            ("$request", Id(intake.ShareRequestId)), ("$entry", Id(entry.Id)), ("$hash", string.IsNullOrEmpty(intake.ContentHash) ? null : intake.ContentHash)).ConfigureAwait(false);
        await SqliteOutbox.WriteOutboxItemAsync(connection, transaction, intake.AcknowledgementItem(entry.Id), cancellationToken).ConfigureAwait(false);

        var kind = outcome == ShareIntakeOutcome.Created ? QueueChangeKind.Added : QueueChangeKind.Updated;
        return (new ShareIntakeResult(outcome, entry), new QueueChange(kind, entry.Id, entry.HipId, entry.CounterCode, entry.Version));
    }
}
