using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// Runs one store operation: a pooled connection, optionally a READ COMMITTED transaction, the whole call bounded by
/// <see cref="PostgreSqlProfileShareStoreOptions.CommandTimeout"/> (a <see cref="TimeoutException"/> when it runs out),
/// and the operation run again after a transient failure (<see cref="PostgreSqlProfileShareStoreOptions.MaxRetries"/>)
/// when that is safe.
/// </summary>
/// <remarks>
/// Safe means: the failed attempt certainly changed nothing (a serialization failure 40001, a deadlock 40P01, a unique
/// violation 23505 such as two deliveries of one requestId racing, a <see cref="PgRetryException"/>, a connection that
/// failed before the commit was sent), or it may have committed but running it again is harmless (reads; accepting a
/// share, which the second run finds by its requestId and reports as a duplicate; leases and the purge). A write that
/// may have committed (the connection broke during its COMMIT or its single statement) is never run again: the caller
/// gets the exception and decides (an endpoint answers 503 and the gateway delivers again, deduplicated).
/// </remarks>
internal sealed class PgExecutor(NpgsqlDataSource dataSource, PostgreSqlProfileShareStoreOptions options, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);

    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>Runs <paramref name="work"/> on a connection without a transaction (reads, single-statement writes).</summary>
    public Task<T> RunAsync<T>(string operation, bool rerunIfUncertain, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        RunCoreAsync(operation, rerunIfUncertain, transactional: false, (connection, _, ct) => work(connection, ct), cancellationToken);

    /// <summary>Runs <paramref name="work"/> in a transaction, committed when it returns (rolled back when it throws).</summary>
    public Task<T> RunInTransactionAsync<T>(string operation, bool rerunIfUncertain, Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        RunCoreAsync(operation, rerunIfUncertain, transactional: true, (connection, transaction, ct) => work(connection, transaction!, ct), cancellationToken);

    private async Task<T> RunCoreAsync<T>(string operation, bool rerunIfUncertain, bool transactional, Func<NpgsqlConnection, NpgsqlTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.CommandTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;
        for (var attempt = 1; ; attempt++)
        {
            var uncertain = false;
            Exception failure;
            try
            {
                var connection = await dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    if (!transactional)
                    {
                        uncertain = true; // a single statement commits on its own: once sent, its outcome is unknown on failure
                        return await work(connection, null, token).ConfigureAwait(false);
                    }

                    var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await work(connection, transaction, token).ConfigureAwait(false);
                        uncertain = true;
                        await transaction.CommitAsync(token).ConfigureAwait(false);

                        return result;
                    }
                }
            }
            catch (Exception exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"PostgreSQL did not complete {operation} within {options.CommandTimeout.TotalSeconds:0.###} s (CommandTimeout)."), exception);
            }
            catch (Exception exception) when (attempt <= options.MaxRetries && IsRetryable(exception, uncertain && !rerunIfUncertain))
            {
                failure = exception;
            }

            Log.Retrying(logger, operation, (failure as PostgresException)?.SqlState ?? failure.GetType().Name, attempt);
            try
            {
                await Task.Delay(FirstBackoff * (1 << (attempt - 1)), time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"PostgreSQL did not complete {operation} within {options.CommandTimeout.TotalSeconds:0.###} s (CommandTimeout)."), failure);
            }
        }
    }

    /// <summary>Whether a failed attempt may run again (<paramref name="mayHaveCommitted"/>: only if it certainly did not commit).</summary>
    internal static bool IsRetryable(Exception exception, bool mayHaveCommitted) => exception switch
    {
        PgRetryException => true,
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation } => true,
        PostgresException postgres => postgres.IsTransient && !mayHaveCommitted,
        NpgsqlException npgsql => (npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException) && !mayHaveCommitted,
        _ => false,
    };
}
