using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// The versioned schema: migration <c>n</c> (1-based) takes the store's schema from version n - 1 to n (recorded in
/// <c>{schema}.schema_version</c>). Migrations are only ever appended, never edited. <c>{S}</c> stands for the schema.
/// </summary>
/// <remarks>
/// Times the store compares are UTC ticks (<c>bigint</c>, exact to the 100 ns of <see cref="DateTimeOffset"/>; a
/// <c>timestamptz</c> keeps microseconds only, and the re-scan window is inclusive to the tick); records are JSON
/// documents (<c>jsonb</c>, <see cref="Storage.StoreJson"/>) with the columns queries filter and sort on beside them.
/// </remarks>
internal static class PgSchema
{
    /// <summary>Every migration, in order.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: the initial schema.
        """
        CREATE TABLE {S}.entries (
            id               uuid    NOT NULL PRIMARY KEY,
            hip_id           text    NOT NULL,
            counter_code     text    NOT NULL,
            health_id        text    NOT NULL, -- PhrAddress.Fold of the PHR address, for re-scan matching
            status           text    NOT NULL,
            service_day      date    NOT NULL,
            token_number     integer NOT NULL,
            first_scanned_at bigint  NOT NULL,
            last_scanned_at  bigint  NOT NULL,
            expires_at       bigint  NOT NULL,
            version          bigint  NOT NULL,
            document         jsonb   NOT NULL
        );
        CREATE UNIQUE INDEX entries_token ON {S}.entries (hip_id, counter_code, service_day, token_number);
        CREATE INDEX entries_queue ON {S}.entries (hip_id, counter_code, last_scanned_at);
        CREATE INDEX entries_rescan ON {S}.entries (hip_id, counter_code, health_id, first_scanned_at);
        CREATE INDEX entries_expires ON {S}.entries (expires_at);

        CREATE TABLE {S}.share_requests (
            request_id   uuid NOT NULL PRIMARY KEY, -- deduplication: a second insert of a requestId fails
            entry_id     uuid NOT NULL,
            content_hash text
        );
        CREATE INDEX share_requests_entry ON {S}.share_requests (entry_id);

        CREATE TABLE {S}.token_counters (
            hip_id       text    NOT NULL,
            counter_code text    NOT NULL,
            service_day  date    NOT NULL,
            last_token   integer NOT NULL,
            PRIMARY KEY (hip_id, counter_code, service_day)
        );

        CREATE TABLE {S}.correlations (
            request_id uuid  NOT NULL PRIMARY KEY,
            entry_id   uuid  NOT NULL,
            document   jsonb NOT NULL
        );
        CREATE INDEX correlations_entry ON {S}.correlations (entry_id);

        CREATE TABLE {S}.outbox (
            id               uuid    NOT NULL PRIMARY KEY,
            entry_id         uuid    NOT NULL,
            due_at           bigint  NOT NULL,
            created_at       bigint  NOT NULL,
            attempts         integer NOT NULL,
            last_error       text,
            lease_owner      text,
            lease_expires_at bigint,
            document         jsonb   NOT NULL -- the item as enqueued; the columns above override its fields
        );
        CREATE INDEX outbox_due ON {S}.outbox (due_at, created_at);
        CREATE INDEX outbox_entry ON {S}.outbox (entry_id);

        CREATE TABLE {S}.linking_tokens (
            hip_id     text   NOT NULL,
            health_id  text   NOT NULL, -- PhrAddress.Fold of the PHR address
            expires_at bigint,          -- NULL: kept
            document   jsonb  NOT NULL, -- the record as the workflow stored it (its token encrypted)
            PRIMARY KEY (hip_id, health_id)
        );
        CREATE INDEX linking_tokens_expires ON {S}.linking_tokens (expires_at);

        -- The change feed's log: every change is also NOTIFYed on {S}_changes at commit; a listener that lost its
        -- connection re-reads what it missed from here. Kept for an hour (the purge).
        CREATE TABLE {S}.changes (
            seq     bigserial   NOT NULL PRIMARY KEY,
            at      timestamptz NOT NULL DEFAULT now(),
            payload text        NOT NULL
        );
        CREATE INDEX changes_at ON {S}.changes (at);
        """,

        // 2: the linking-request guards (IProfileShareStore.TryBeginLinkingRequestAsync / BlockLinkingRequestsAsync) and a
        // counter's service per day (RecordCounterServiceAsync). Times are UTC ticks, as elsewhere.
        """
        CREATE TABLE {S}.linking_guards (
            hip_id          text   NOT NULL,
            health_id       text   NOT NULL, -- PhrAddress.Fold of the PHR address
            last_request_id uuid,
            last_request_at bigint,
            blocked_until   bigint,
            block_code      text,
            PRIMARY KEY (hip_id, health_id)
        );

        CREATE TABLE {S}.counter_service (
            hip_id        text    NOT NULL,
            counter_code  text    NOT NULL,
            service_day   date    NOT NULL,
            running_token integer,
            called_at     bigint,
            served_count  integer NOT NULL DEFAULT 0,
            total_service bigint  NOT NULL DEFAULT 0, -- ticks
            PRIMARY KEY (hip_id, counter_code, service_day)
        );
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int CurrentVersion => Migrations.Count;

    /// <summary>
    /// Brings the schema to <see cref="CurrentVersion"/>. A schema already current is only read (a runtime role without
    /// DDL rights starts fine). Otherwise, in one transaction under a transaction-level advisory lock keyed by the
    /// schema name (so instances starting together migrate once, the others wait and then find it current): creates the
    /// schema and the version table when missing, then applies the missing migrations.
    /// </summary>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, string schema, ILogger logger, CancellationToken cancellationToken, IReadOnlyList<string>? migrations = null)
    {
        migrations ??= Migrations;
        var target = migrations.Count;
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);

        var current = await ReadVersionAsync(connection, null, schema, cancellationToken).ConfigureAwait(false);
        if (current == target)
        {
            Log.SchemaCurrent(logger, schema, current);
            return;
        }

        ThrowIfNewer(current, target);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionLifetime = transaction.ConfigureAwait(false);
        Log.WaitingForMigrationLock(logger, schema);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended('Abdm.ProfileShare.PostgreSql.migrate:' || $1, 0))", cancellationToken, schema).ConfigureAwait(false);
        // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists: a migration role that
        // owns a schema created for it (docs/stores.md) has no such right, so the schema is created only when missing.
        var exists = Command(connection, transaction, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema);
        await using (exists.ConfigureAwait(false))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                await ExecuteAsync(connection, transaction, $"CREATE SCHEMA {schema}", cancellationToken).ConfigureAwait(false);
            }
        }

        await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS {schema}.schema_version (version integer NOT NULL)", cancellationToken).ConfigureAwait(false);

        var from = await ReadVersionAsync(connection, transaction, schema, cancellationToken).ConfigureAwait(false);
        ThrowIfNewer(from, target);
        for (var version = from + 1; version <= target; version++)
        {
            await ExecuteAsync(connection, transaction, migrations[version - 1].Replace("{S}", schema, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
        }

        if (from < target)
        {
            await ExecuteAsync(connection, transaction, $"DELETE FROM {schema}.schema_version", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"INSERT INTO {schema}.schema_version (version) VALUES ($1)", cancellationToken, target).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (from < target)
        {
            Log.SchemaMigrated(logger, schema, from, target);
        }
        else
        {
            Log.SchemaCurrent(logger, schema, from);
        }
    }

    /// <summary>The recorded version; 0 when the schema or its version table does not exist.</summary>
    public static async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            "SELECT to_regclass($1) IS NOT NULL", connection, transaction);
        await using var commandLifetime = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = schema + ".schema_version" });
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            return 0;
        }

        var read = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {schema}.schema_version", connection, transaction);
        await using var readLifetime = read.ConfigureAwait(false);
        return Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static void ThrowIfNewer(int version, int target)
    {
        if (version > target)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The PostgreSQL profile-share schema has version {version}, newer than this library's {target}. Upgrade Abdm.ProfileShare.PostgreSql."));
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using var commandLifetime = command.ConfigureAwait(false);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
