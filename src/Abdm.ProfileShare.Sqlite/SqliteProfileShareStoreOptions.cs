namespace Abdm.ProfileShare.Sqlite;

/// <summary>Settings of <see cref="SqliteProfileShareStore"/>.</summary>
public sealed class SqliteProfileShareStoreOptions
{
    /// <summary>
    /// The Microsoft.Data.Sqlite connection string, for example <c>Data Source=/var/lib/his/profile-share.db</c>.
    /// </summary>
    /// <remarks>
    /// Required. Reads borrow pooled connections (pooling is the default); writes go through the store's one writer, which
    /// keeps its own connection (not pooled) and group-commits the writes queued while it flushes.
    /// </remarks>
    public string ConnectionString { get; set; } = "";

    /// <summary>How long an operation waits for another process's write transaction before it fails.</summary>
    /// <remarks>Default: 30 seconds. Writers of one store instance are serialized in-process and never wait on each other here.</remarks>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
