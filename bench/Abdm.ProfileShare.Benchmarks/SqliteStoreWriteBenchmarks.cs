using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sqlite;
using Abdm.ProfileShare.Storage;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;

namespace Abdm.ProfileShare.Benchmarks;

/// <summary>
/// The SQLite store's write of a new share (<see cref="SqliteProfileShareStore.AcceptShareAsync"/>: dedup check, re-scan
/// lookup, token UPSERT, entry, acknowledgement outbox item, durable COMMIT) on a database file in the temp folder:
/// one caller at a time (a commit per share, so the disk's flush rate shows) and 32 concurrent callers (the writer's
/// group commit shares one flush among the operations queued meanwhile). Results are per share.
/// </summary>
public class SqliteStoreWriteBenchmarks
{
    private const int Sequential = 64;
    private const int Callers = 32;
    private const int PerCaller = 8;
    private string _directory = "";
    private SqliteProfileShareStore? _store;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("abdm-bench-sqlite-").FullName;
        _store = new SqliteProfileShareStore("Data Source=" + Path.Combine(_directory, "store.db"));
        _store.InitializeAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Sequential, Description = "SqliteProfileShareStore.AcceptShareAsync (new share, one caller: a commit each)")]
    public async Task<int> AcceptShareOneCaller()
    {
        var tokens = 0;
        for (var i = 0; i < Sequential; i++)
        {
            tokens += (await _store!.AcceptShareAsync(NewIntake())).Entry.TokenNumber;
        }

        return tokens;
    }

    [Benchmark(OperationsPerInvoke = Callers * PerCaller, Description = "SqliteProfileShareStore.AcceptShareAsync (new share, 32 concurrent callers: group commit)")]
    public async Task<int> AcceptShareConcurrent()
    {
        var callers = new Task<int>[Callers];
        for (var c = 0; c < Callers; c++)
        {
            callers[c] = Task.Run(async () =>
            {
                var tokens = 0;
                for (var i = 0; i < PerCaller; i++)
                {
                    tokens += (await _store!.AcceptShareAsync(NewIntake())).Entry.TokenNumber;
                }

                return tokens;
            });
        }

        return (await Task.WhenAll(callers)).Sum();
    }

    private ShareIntake NewIntake()
    {
        var i = Interlocked.Increment(ref _next);
        return BenchData.Intake(i, DateTimeOffset.UtcNow);
    }
}
