namespace Abdm.ProfileShare.PostgreSql;

/// <summary>
/// Settings of <see cref="PostgreSqlProfileShareStore"/>. Bound from configuration by
/// <see cref="PostgreSqlStoreBuilderExtensions.UsePostgreSqlStore(AbdmProfileShareBuilder, Microsoft.Extensions.Configuration.IConfiguration)"/>
/// (keys named after the properties) and validated when the host starts, every problem named by its key.
/// </summary>
public sealed class PostgreSqlProfileShareStoreOptions
{
    /// <summary>The default schema.</summary>
    public const string DefaultSchema = "abdm";

    /// <summary>
    /// The Npgsql connection string, for example <c>Host=db.internal;Database=his;Username=abdm_app</c> (the password from a
    /// secret store or <c>PGPASSWORD</c>, never a file in source control).
    /// </summary>
    /// <remarks>
    /// Default: none. When empty, the store uses the <c>NpgsqlDataSource</c> the application registered in dependency
    /// injection (for example with <c>AddNpgsqlDataSource</c>), and the start fails naming this key when there is none.
    /// The store never logs it.
    /// </remarks>
    public string? ConnectionString { get; set; }

    /// <summary>The PostgreSQL schema that holds the store's tables; created at start when missing.</summary>
    /// <remarks>
    /// Default: <c>abdm</c>. A plain identifier: a lower-case ASCII letter or underscore, then lower-case letters, digits or
    /// underscores, at most 48 characters. The change-feed channel is named after it (<c>{schema}_changes</c>), so
    /// several hospitals or environments can share one database with a schema each.
    /// </remarks>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>How long one store operation may take, connecting included, before it fails.</summary>
    /// <remarks>
    /// Default: 5 seconds. With PostgreSQL unreachable, a share fails within this time and the endpoint answers 503, so
    /// the gateway delivers it again. Between 1 second and 5 minutes.
    /// </remarks>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many times an operation is run again after a transient failure (a serialization failure, a deadlock, a lost
    /// connection) inside the same call.
    /// </summary>
    /// <remarks>Default: 2. Between 0 and 10. A retry never follows an operation whose commit may have succeeded, unless
    /// running it again is harmless (a share is deduplicated by its requestId).</remarks>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Which clock times outbox leases.</summary>
    /// <remarks>Default: <see cref="PostgreSqlLeaseClock.Database"/>.</remarks>
    public PostgreSqlLeaseClock LeaseClock { get; set; } = PostgreSqlLeaseClock.Database;
}
