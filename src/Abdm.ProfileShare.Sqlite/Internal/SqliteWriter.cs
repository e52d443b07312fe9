using System.Globalization;
using System.Threading.Channels;
using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// The SQLite store's single writer, with group commit: the write operations waiting when the writer is free run one
/// after another in one <c>BEGIN IMMEDIATE</c> transaction, each in its own <c>SAVEPOINT</c> (an operation that fails
/// is rolled back alone), and each caller's task completes only after that transaction's <c>COMMIT</c> succeeded; a
/// failed commit fails every operation of the batch. The writer holds its own long-lived connection, outside the pool,
/// and publishes the committed operations' changes in commit order.
/// </summary>
internal sealed class SqliteWriter
{
    /// <summary>The most operations one group commit carries (bounds how long other processes wait for the file).</summary>
    public const int MaxBatchSize = 64;

    private const string Savepoint = "op";

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;
    private readonly ChangeFeed _changes;
    private readonly Channel<SqliteWriteRequest> _writes = Channel.CreateUnbounded<SqliteWriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private Task? _loop;
    private SqliteConnection? _connection;
    private long _commits;
    private int _queued;
    private volatile bool _stopped;

    /// <summary>Creates the writer; its loop starts with the first write.</summary>
    /// <param name="connectionString">The writer connection's connection string (not pooled: after a failed batch the
    /// connection is closed, rolling back whatever SQLite left open, instead of going back to a pool).</param>
    /// <param name="busyTimeoutMilliseconds">How long to wait for writers of other processes.</param>
    /// <param name="changes">Where committed changes are published.</param>
    public SqliteWriter(string connectionString, int busyTimeoutMilliseconds, ChangeFeed changes)
    {
        _connectionString = connectionString;
        _busyTimeoutMilliseconds = busyTimeoutMilliseconds;
        _changes = changes;
    }

    /// <summary>Whether <see cref="Stop"/> was called (the store is disposed).</summary>
    public bool IsStopped => _stopped;

    /// <summary>How many transactions the writer committed (for tests of group commit).</summary>
    public long CommitCount => Interlocked.Read(ref _commits);

    /// <summary>How many write operations wait for the writer (for tests of group commit).</summary>
    public int QueuedWrites => Volatile.Read(ref _queued);

    /// <summary>
    /// Queues <paramref name="work"/>, which runs inside a <c>SAVEPOINT</c> of a group-commit <c>BEGIN IMMEDIATE</c>
    /// transaction; the task completes after that transaction committed (then the change it reports is published, in
    /// commit order). A failure of <paramref name="work"/> rolls back only its own savepoint.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The writer was stopped (the store is disposed).</exception>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<(T Result, QueueChange? Change)>> work, CancellationToken cancellationToken)
    {
        var request = new SqliteWriteRequest<T>(work, cancellationToken);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, typeof(SqliteProfileShareStore));
            _loop ??= Task.Run(LoopAsync, CancellationToken.None);

            // The channel is completed only under this lock, after _stopped is set: the write cannot fail here.
            Interlocked.Increment(ref _queued);
            _writes.Writer.TryWrite(request);
        }

        // Not cancellable once queued: a request cancelled before the writer reaches it is skipped (and this throws), but
        // one that already ran must report what was committed.
        return request.Task;
    }

    /// <summary>Stops taking writes; the operations already queued still run.</summary>
    /// <returns>The writer's loop (completes when the queued operations ran), or <see langword="null"/> when it never started.</returns>
    public Task? Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            _writes.Writer.TryComplete();
            return _loop;
        }
    }

    private async Task LoopAsync()
    {
        var batch = new List<SqliteWriteRequest>(MaxBatchSize);
        var reader = _writes.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatchSize && reader.TryRead(out var request))
                {
                    Interlocked.Decrement(ref _queued);
                    batch.Add(request);
                }

                try
                {
                    await RunBatchAsync(batch).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Not expected (RunBatchAsync handles failures); the writer must survive it all the same, or every
                    // later write would wait forever. Requests already completed ignore this.
                    CloseConnection();
                    foreach (var request in batch)
                    {
                        request.Fail(ex);
                    }
                }
            }
        }
        finally
        {
            CloseConnection();
        }
    }

    /// <summary>Runs a batch in one transaction and completes its requests; never throws.</summary>
    private async Task RunBatchAsync(List<SqliteWriteRequest> batch)
    {
        var executed = new List<SqliteWriteRequest>(batch.Count);
        SqliteConnection connection;
        SqliteTransaction transaction;
        try
        {
            connection = _connection ??= await OpenConnectionAsync().ConfigureAwait(false);
            transaction = connection.BeginTransaction(deferred: false);
        }
        catch (Exception ex)
        {
            CloseConnection();
            foreach (var request in batch)
            {
                request.Fail(ex);
            }

            return;
        }

        using (transaction)
        {
            // A batch of one needs no savepoint: its failure rolls back the whole transaction.
            var savepoints = batch.Count > 1;
            for (var i = 0; i < batch.Count; i++)
            {
                var request = batch[i];
                if (request.CancellationToken.IsCancellationRequested)
                {
                    request.Fail(new OperationCanceledException(request.CancellationToken));
                    continue;
                }

                try
                {
                    if (savepoints)
                    {
                        transaction.Save(Savepoint);
                    }

                    await request.ExecuteAsync(connection, transaction).ConfigureAwait(false);
                    if (savepoints)
                    {
                        transaction.Release(Savepoint);
                    }

                    executed.Add(request);
                }
                catch (Exception ex)
                {
                    if (!savepoints)
                    {
                        request.Fail(ex);
                        RollBack(connection, transaction);
                        return;
                    }

                    if (RollBackToSavepoint(connection, transaction))
                    {
                        request.Fail(ex);
                        continue;
                    }

                    // SQLite ended the whole transaction (an I/O error, a full disk): what ran before is gone too, and
                    // what did not run yet gets a fresh transaction.
                    request.Fail(ex);
                    foreach (var lost in executed)
                    {
                        lost.Fail(ex);
                    }

                    CloseConnection();
                    await RunBatchAsync(batch.GetRange(i + 1, batch.Count - i - 1)).ConfigureAwait(false);
                    return;
                }
            }

            try
            {
                transaction.Commit();
                Interlocked.Increment(ref _commits);
            }
            catch (Exception ex)
            {
                // Nothing of this batch is durable: every caller learns it. The connection is closed, which rolls back
                // whatever the failed COMMIT left open.
                foreach (var request in executed)
                {
                    request.Fail(ex);
                }

                CloseConnection();
                return;
            }
        }

        foreach (var request in executed)
        {
            if (request.Change is { } change)
            {
                _changes.Publish(change);
            }

            request.Succeed();
        }
    }

    /// <summary>Rolls back the whole transaction, or closes the writer connection (which does) when that fails.</summary>
    private void RollBack(SqliteConnection connection, SqliteTransaction transaction)
    {
        try
        {
            if (connection.Handle is not null && SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                transaction.Rollback();
            }
        }
        catch (SqliteException)
        {
            CloseConnection();
        }
    }

    /// <summary>Rolls back the failed operation's savepoint; <see langword="false"/> when SQLite already ended the transaction.</summary>
    private static bool RollBackToSavepoint(SqliteConnection connection, SqliteTransaction transaction)
    {
        if (connection.Handle is null || SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
        {
            return false;
        }

        try
        {
            transaction.Rollback(Savepoint);
            transaction.Release(Savepoint);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private async Task<SqliteConnection> OpenConnectionAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync().ConfigureAwait(false);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds};");
            await pragma.ExecuteNonQueryAsync().ConfigureAwait(false);
            SqliteCommands.Reuse(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void CloseConnection()
    {
        var connection = _connection;
        _connection = null;
        try
        {
            if (connection is not null)
            {
                SqliteCommands.Release(connection);
            }

            connection?.Dispose();
        }
        catch (SqliteException)
        {
            // Closing rolls back what is open; a failure here leaves nothing to do.
        }
    }

}
