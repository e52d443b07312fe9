using Abdm.ProfileShare.PostgreSql.Internal;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Abdm.ProfileShare.PostgreSql;

/// <summary>Registers the PostgreSQL store.</summary>
public static class PostgreSqlStoreBuilderExtensions
{
    /// <summary>
    /// Uses PostgreSQL as the profile-share store (replacing the in-memory default) through the <see cref="NpgsqlDataSource"/>
    /// the application registered (for example with <c>AddNpgsqlDataSource</c>). The schema (<c>abdm</c>) is created or
    /// migrated when the host starts.
    /// </summary>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UsePostgreSqlStore(this AbdmProfileShareBuilder builder) =>
        builder.UsePostgreSqlStore(_ => { });

    /// <summary>
    /// Uses PostgreSQL as the profile-share store (replacing the in-memory default), with its own connection pool. The
    /// schema (<c>abdm</c>) is created or migrated when the host starts.
    /// </summary>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <param name="connectionString">The Npgsql connection string, for example <c>Host=db.internal;Database=his;Username=abdm_app</c>.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UsePostgreSqlStore(this AbdmProfileShareBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgreSqlStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Uses PostgreSQL as the profile-share store (replacing the in-memory default). Without
    /// <see cref="PostgreSqlProfileShareStoreOptions.ConnectionString"/> the store uses the application's registered
    /// <see cref="NpgsqlDataSource"/>. The options are validated and the schema created or migrated when the host starts.
    /// </summary>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <param name="configure">Sets the store's options.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UsePostgreSqlStore(this AbdmProfileShareBuilder builder, Action<PostgreSqlProfileShareStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<PostgreSqlProfileShareStoreOptions>().Configure(configure);
        return Register(builder, sectionPath: null);
    }

    /// <summary>
    /// Uses PostgreSQL as the profile-share store (replacing the in-memory default), with its options bound from a
    /// configuration section (keys <c>ConnectionString</c>, <c>Schema</c>, <c>CommandTimeout</c>, <c>MaxRetries</c>,
    /// <c>LeaseClock</c>); problems are reported at start under the section's path.
    /// </summary>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <param name="configuration">The section, for example <c>builder.Configuration.GetSection("AbdmProfileShare:PostgreSql")</c>.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UsePostgreSqlStore(this AbdmProfileShareBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<PostgreSqlProfileShareStoreOptions>().Bind(configuration);
        return Register(builder, (configuration as IConfigurationSection)?.Path);
    }

    private static AbdmProfileShareBuilder Register(AbdmProfileShareBuilder builder, string? sectionPath)
    {
        var services = builder.Services;
        services.AddOptions<PostgreSqlProfileShareStoreOptions>().ValidateOnStart();
        services.RemoveAll<IValidateOptions<PostgreSqlProfileShareStoreOptions>>();
        services.AddSingleton<IValidateOptions<PostgreSqlProfileShareStoreOptions>>(provider =>
            new PgOptionsValidator(provider.GetRequiredService<IServiceProviderIsService>(), PgOptionsValidator.Prefix(sectionPath)));
        services.Replace(ServiceDescriptor.Singleton<IProfileShareStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PostgreSqlProfileShareStoreOptions>>().Value;
            var logger = provider.GetService<ILogger<PostgreSqlProfileShareStore>>();
            var time = provider.GetService<TimeProvider>() ?? TimeProvider.System;
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new PostgreSqlProfileShareStore(provider.GetRequiredService<NpgsqlDataSource>(), ownsDataSource: false, options, logger, time)
                : new PostgreSqlProfileShareStore(PgOptionsValidator.CreateDataSource(options), ownsDataSource: true, options, logger, time);
        }));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PgStoreInitializer>());
        return builder;
    }
}
