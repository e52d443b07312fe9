using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>A write operation waiting for the writer (<see cref="SqliteWriter"/>).</summary>
internal abstract class SqliteWriteRequest(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The change to publish once committed.</summary>
    public QueueChange? Change { get; protected set; }

    public abstract Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction);

    public abstract void Succeed();

    public abstract void Fail(Exception error);
}

/// <summary>A write operation with its result, completed after its transaction committed (or failed).</summary>
internal sealed class SqliteWriteRequest<T>(Func<SqliteConnection, SqliteTransaction, Task<(T Result, QueueChange? Change)>> work, CancellationToken cancellationToken)
    : SqliteWriteRequest(cancellationToken)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public Task<T> Task => _completion.Task;

    public override async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction)
    {
        (_result, var change) = await work(connection, transaction).ConfigureAwait(false);
        Change = change;
    }

    public override void Succeed() => _completion.TrySetResult(_result);

    public override void Fail(Exception error)
    {
        if (error is OperationCanceledException && CancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(CancellationToken);
        }
        else
        {
            _completion.TrySetException(error);
        }
    }
}
