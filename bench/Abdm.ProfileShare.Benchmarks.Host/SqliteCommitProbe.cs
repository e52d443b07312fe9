using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Abdm.ProfileShare.Benchmarks.Host;

/// <summary>
/// The durable commit rate of SQLite on this disk, as the SQLite store commits: WAL journal, the default (FULL)
/// synchronous mode, one <c>BEGIN IMMEDIATE</c> transaction writing one ~1 KB row at a time, one writer. A store
/// that commits every share (and its outbox steps) cannot go faster than this.
/// </summary>
internal static class SqliteCommitProbe
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var file = args.Require("file");
        var seconds = args.Double("seconds", 2);
        await using var connection = new SqliteConnection("Data Source=" + file);
        await connection.OpenAsync();
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);";
            await setup.ExecuteNonQueryAsync();
        }

        var doc = new string('x', 1000);
        var commits = 0;
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO probe (doc) VALUES ($doc)";
            insert.Parameters.AddWithValue("$doc", doc);
            await insert.ExecuteNonQueryAsync();
            transaction.Commit();
            commits++;
        }

        Program.Result("sqlite_commits", ("commits", commits), ("seconds", Math.Round(stopwatch.Elapsed.TotalSeconds, 2)),
            ("commits_per_s", Math.Round(commits / stopwatch.Elapsed.TotalSeconds)));
        return 0;
    }
}
