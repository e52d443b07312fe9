using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// The versioned schema: migration <c>n</c> (1-based) takes a database from <c>PRAGMA user_version</c> n - 1 to n.
/// Migrations are only ever appended, never edited, so a database made by any released version can be upgraded.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Every migration, in order.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: the initial schema. Times are UTC ticks (INTEGER); ids are lower-case 'D' GUID text; documents are JSON
        // (StoreJson) and the columns beside them are what queries filter and sort on.
        """
        CREATE TABLE entries (
            id              TEXT    NOT NULL PRIMARY KEY,
            hip_id          TEXT    NOT NULL,
            counter_code    TEXT    NOT NULL,
            health_id       TEXT    NOT NULL, -- upper-cased PHR address, for re-scan matching
            status          TEXT    NOT NULL,
            service_day     TEXT    NOT NULL, -- yyyy-MM-dd
            token_number    INTEGER NOT NULL,
            last_scanned_at INTEGER NOT NULL,
            expires_at      INTEGER NOT NULL,
            version         INTEGER NOT NULL,
            document        TEXT    NOT NULL
        );
        CREATE UNIQUE INDEX entries_token ON entries (hip_id, counter_code, service_day, token_number);
        CREATE INDEX entries_queue ON entries (hip_id, counter_code, last_scanned_at);
        CREATE INDEX entries_rescan ON entries (hip_id, counter_code, health_id, last_scanned_at);
        CREATE INDEX entries_expires ON entries (expires_at);

        CREATE TABLE share_requests (
            request_id TEXT NOT NULL PRIMARY KEY,
            entry_id   TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX share_requests_entry ON share_requests (entry_id);

        CREATE TABLE token_counters (
            hip_id       TEXT    NOT NULL,
            counter_code TEXT    NOT NULL,
            service_day  TEXT    NOT NULL,
            last_token   INTEGER NOT NULL,
            PRIMARY KEY (hip_id, counter_code, service_day)
        ) WITHOUT ROWID;

        CREATE TABLE correlations (
            request_id TEXT NOT NULL PRIMARY KEY,
            entry_id   TEXT NOT NULL,
            document   TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX correlations_entry ON correlations (entry_id);

        CREATE TABLE outbox (
            id               TEXT    NOT NULL PRIMARY KEY,
            entry_id         TEXT    NOT NULL,
            due_at           INTEGER NOT NULL,
            created_at       INTEGER NOT NULL,
            lease_owner      TEXT,
            lease_expires_at INTEGER,
            document         TEXT    NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX outbox_due ON outbox (due_at, created_at);
        CREATE INDEX outbox_entry ON outbox (entry_id);

        CREATE TABLE linking_tokens (
            hip_id    TEXT NOT NULL,
            health_id TEXT NOT NULL, -- upper-cased PHR address
            document  TEXT NOT NULL,
            PRIMARY KEY (hip_id, health_id)
        ) WITHOUT ROWID;
        """,

        // 2: a token is valid for the re-scan window from its FIRST scan (ABDM v3 token rules), so the re-scan lookup
        // filters and sorts on first_scanned_at (UTC ticks). Existing rows are backfilled exactly from the entry
        // document's firstScannedAt (a round-trip DateTimeOffset string: yyyy-MM-ddTHH:mm:ss[.fffffff] then Z or
        // +hh:mm/-hh:mm): whole seconds via strftime on the string without its fraction, plus the fraction's digits as
        // ticks; last_scanned_at when the document has none. The index on last_scanned_at served only the old lookup.
        """
        ALTER TABLE entries ADD COLUMN first_scanned_at INTEGER NOT NULL DEFAULT 0;
        UPDATE entries SET first_scanned_at = COALESCE(
            (SELECT 621355968000000000
                    + CAST(strftime('%s', substr(f.s, 1, 19) || f.zone) AS INTEGER) * 10000000
                    + CASE WHEN substr(f.s, 20, 1) = '.'
                           THEN CAST(substr(substr(f.s, 21, length(f.s) - 20 - length(f.zone)) || '0000000', 1, 7) AS INTEGER)
                           ELSE 0 END
             FROM (SELECT d.s AS s, CASE WHEN d.s LIKE '%Z' THEN 'Z' ELSE substr(d.s, -6) END AS zone
                   FROM (SELECT json_extract(entries.document, '$.firstScannedAt') AS s) AS d
                   WHERE d.s IS NOT NULL AND length(d.s) >= 20) AS f),
            last_scanned_at);
        DROP INDEX entries_rescan;
        CREATE INDEX entries_rescan ON entries (hip_id, counter_code, health_id, first_scanned_at);
        """,

        // 3: linking tokens are kept only until they expire: expires_at (UTC ticks, the record's ExpiresAt; NULL never
        // purged) drives the purge. Existing rows were written before ExpiresAt existed, with the token in clear, but SQL
        // cannot decode the token's exp claim, so they are backfilled with the document's receivedAt (parsed as in
        // migration 2) + 182.5 days, the longest lifetime the gateway gives a token (v3): no token still valid is
        // purged, and none older is kept. The workflow reads such a record's expiry from its token and never hands it
        // out once expired, whatever this column says.
        """
        ALTER TABLE linking_tokens ADD COLUMN expires_at INTEGER;
        UPDATE linking_tokens SET expires_at =
            (SELECT 621355968000000000
                    + CAST(strftime('%s', substr(f.s, 1, 19) || f.zone) AS INTEGER) * 10000000
                    + CASE WHEN substr(f.s, 20, 1) = '.'
                           THEN CAST(substr(substr(f.s, 21, length(f.s) - 20 - length(f.zone)) || '0000000', 1, 7) AS INTEGER)
                           ELSE 0 END
                    + 157680000000000 -- 182.5 days in ticks
             FROM (SELECT d.s AS s, CASE WHEN d.s LIKE '%Z' THEN 'Z' ELSE substr(d.s, -6) END AS zone
                   FROM (SELECT json_extract(linking_tokens.document, '$.receivedAt') AS s) AS d
                   WHERE d.s IS NOT NULL AND length(d.s) >= 20) AS f);
        CREATE INDEX linking_tokens_expires ON linking_tokens (expires_at);
        """,

        // 4: the content hash a share requestId was accepted with (ShareIntake.ContentHash), so a repeat of the
        // requestId with a different body is reported (ShareIntakeResult.ContentConflict); rows from before have NULL,
        // never a conflict. And the health_id keys become PhrAddress.Fold (only ASCII letters upper-cased): SQLite's
        // upper() is exactly that (ASCII only, without the ICU extension), so the keys are recomputed from the
        // documents; only rows of a non-ASCII address (which ToUpperInvariant had mapped onto ASCII) change.
        """
        ALTER TABLE share_requests ADD COLUMN content_hash TEXT;
        UPDATE entries SET health_id = upper(json_extract(document, '$.profile.healthId'))
        WHERE json_extract(document, '$.profile.healthId') IS NOT NULL AND health_id <> upper(json_extract(document, '$.profile.healthId'));
        UPDATE OR REPLACE linking_tokens SET health_id = upper(json_extract(document, '$.healthId'))
        WHERE json_extract(document, '$.healthId') IS NOT NULL AND health_id <> upper(json_extract(document, '$.healthId'));
        """,

        // 5: the linking-request guards and the counters' service per day (IProfileShareStore.TryBeginLinkingRequestAsync / BlockLinkingRequestsAsync): the
        // last token request let through and a gateway block per HIP and folded PHR address. Times are UTC ticks.
        """
        CREATE TABLE linking_guards (
            hip_id          TEXT NOT NULL,
            health_id       TEXT NOT NULL, -- PhrAddress.Fold
            last_request_id TEXT,
            last_request_at INTEGER,
            blocked_until   INTEGER,
            block_code      TEXT,
            PRIMARY KEY (hip_id, health_id)
        ) WITHOUT ROWID;

        -- A counter's service per day (IProfileShareStore.RecordCounterServiceAsync): the running token and the time its
        -- served tokens took (ticks).
        CREATE TABLE counter_service (
            hip_id         TEXT    NOT NULL,
            counter_code   TEXT    NOT NULL,
            service_day    TEXT    NOT NULL, -- yyyy-MM-dd
            running_token  INTEGER,
            called_at      INTEGER,
            served_count   INTEGER NOT NULL DEFAULT 0,
            total_service  INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (hip_id, counter_code, service_day)
        ) WITHOUT ROWID;
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int CurrentVersion => Migrations.Count;

    /// <summary>
    /// Switches the database to WAL and applies the missing migrations in one <c>BEGIN IMMEDIATE</c> transaction
    /// (so two processes starting together migrate once).
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="migrations">The migration list (<see cref="Migrations"/> unless a test passes another).</param>
    public static async Task MigrateAsync(SqliteConnection connection, ILogger logger, CancellationToken cancellationToken, IReadOnlyList<string>? migrations = null)
    {
        migrations ??= Migrations;
        var target = migrations.Count;
        string journalMode;
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            journalMode = Convert.ToString(await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "unknown";
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        var from = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (from > target)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The SQLite profile-share database has schema version {from}, newer than this library's {target}. Upgrade Abdm.ProfileShare.Sqlite."));
        }

        if (from == target)
        {
            transaction.Commit();
            Log.SchemaCurrent(logger, from, journalMode);
            return;
        }

        for (var version = from + 1; version <= target; version++)
        {
            using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = migrations[version - 1] + string.Create(CultureInfo.InvariantCulture, $"\nPRAGMA user_version = {version};");
            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        transaction.Commit();
        Log.SchemaMigrated(logger, from, target);
    }

    /// <summary>Reads <c>PRAGMA user_version</c>.</summary>
    public static async Task<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
