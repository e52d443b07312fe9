namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// Thrown inside an operation whose transaction must be rolled back and run again (a row it read changed before it
/// wrote); <see cref="PgExecutor"/> retries it like a serialization failure.
/// </summary>
internal sealed class PgRetryException : Exception
{
    public PgRetryException()
        : base("A row changed concurrently; the operation runs again.")
    {
    }

    public PgRetryException(string message)
        : base(message)
    {
    }

    public PgRetryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
