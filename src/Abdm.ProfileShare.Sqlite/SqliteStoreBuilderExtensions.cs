using Abdm.ProfileShare.Sqlite.Internal;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Sqlite;

/// <summary>Registers the SQLite store.</summary>
public static class SqliteStoreBuilderExtensions
{
    /// <summary>
    /// Uses a SQLite database as the profile-share store (replacing the in-memory default). The schema is created or
    /// migrated when the host starts.
    /// </summary>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <param name="connectionString">The connection string, for example <c>Data Source=/var/lib/his/profile-share.db</c>.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UseSqliteStore(this AbdmProfileShareBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseSqliteStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Uses a SQLite database as the profile-share store (replacing the in-memory default). The schema is created or
    /// migrated when the host starts.
    /// </summary>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <param name="configure">Sets the store's options; <see cref="SqliteProfileShareStoreOptions.ConnectionString"/> is required.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UseSqliteStore(this AbdmProfileShareBuilder builder, Action<SqliteProfileShareStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SqliteProfileShareStoreOptions();
        configure(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, "options.ConnectionString");

        builder.Services.Replace(ServiceDescriptor.Singleton<IProfileShareStore>(provider =>
            new SqliteProfileShareStore(options, provider.GetService<ILogger<SqliteProfileShareStore>>())));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SqliteStoreInitializer>());
        return builder;
    }
}
