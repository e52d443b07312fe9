using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// Builds and runs the store's SQL commands. On the writer connection (<see cref="Reuse"/>), each statement is
/// prepared once and re-bound; on any other connection each command is new.
/// </summary>
internal static class SqliteCommands
{
    /// <summary>The writer connection's prepared commands, by SQL text (one writer connection at a time, used by one batch at a time).</summary>
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, ReusedCommand>> WriterCommands = new();

    /// <summary>Makes <paramref name="connection"/> keep its commands prepared (the writer connection).</summary>
    public static void Reuse(SqliteConnection connection) =>
        WriterCommands.Add(connection, new Dictionary<string, ReusedCommand>(StringComparer.Ordinal));

    /// <summary>Really disposes the commands <paramref name="connection"/> kept (before it closes).</summary>
    public static void Release(SqliteConnection connection)
    {
        if (WriterCommands.TryGetValue(connection, out var commands))
        {
            WriterCommands.Remove(connection);
            foreach (var command in commands.Values)
            {
                command.Release();
            }
        }
    }

    public static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        // On the writer connection, each statement is prepared once and re-bound: SQLite's parse and plan of every
        // statement was a large part of the writer's cost per operation.
        if (WriterCommands.TryGetValue(connection, out var cache))
        {
            if (!cache.TryGetValue(sql, out var cached))
            {
                cached = new ReusedCommand(sql, connection);
                foreach (var (name, _) in parameters)
                {
                    cached.Parameters.Add(new SqliteParameter { ParameterName = name });
                }

                cache[sql] = cached;
            }

            cached.Transaction = transaction;
            foreach (var (name, value) in parameters)
            {
                var parameter = cached.Parameters[name];
                parameter.ResetSqliteType();
                parameter.Value = value ?? DBNull.Value;
            }

            return cached;
        }

        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>A command kept for the writer connection: disposing it after use keeps it (and its prepared statements).</summary>
    private sealed class ReusedCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
    {
        private bool _released;

        /// <summary>Really disposes it (when the writer connection closes).</summary>
        public void Release()
        {
            _released = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (_released)
            {
                base.Dispose(disposing);
            }
        }
    }
}
