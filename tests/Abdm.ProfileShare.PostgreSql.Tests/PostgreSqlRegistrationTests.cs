using Abdm.ProfileShare.PostgreSql.Internal;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using static Abdm.ProfileShare.PostgreSql.Tests.StoreTestSupport;

namespace Abdm.ProfileShare.PostgreSql.Tests;

/// <summary><c>UsePostgreSqlStore</c>: the application's data source or a connection string, and options checked by key.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlRegistrationTests(PostgreSqlServerFixture postgres)
{
    [Fact]
    public void UsePostgreSqlStore_BadOptionsAndNoDataSource_ValidationNamesEveryKeyWithoutTheConnectionString()
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(ConfigureValidOptions).UsePostgreSqlStore(o =>
        {
            o.Schema = "Bad-Schema";
            o.CommandTimeout = TimeSpan.Zero;
            o.MaxRetries = 99;
        });
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgreSqlProfileShareStoreOptions>>().Value);

        Assert.Contains("PostgreSqlProfileShareStoreOptions.ConnectionString is required", failure.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSqlProfileShareStoreOptions.Schema", failure.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSqlProfileShareStoreOptions.CommandTimeout", failure.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSqlProfileShareStoreOptions.MaxRetries", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BoundFromASection_NamesKeysUnderItsPathAndNeverEchoesTheConnectionString()
    {
        var options = new PostgreSqlProfileShareStoreOptions { ConnectionString = "Host=db;Password=very-secret;Nonsense=1" };

        var problems = PgOptionsValidator.Problems(options, requireConnectionString: true, PgOptionsValidator.Prefix("AbdmProfileShare:PostgreSql"));

        var problem = Assert.Single(problems);
        Assert.StartsWith("AbdmProfileShare:PostgreSql:ConnectionString is not a valid", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateDataSource_ConnectionString_TimeoutsFromOptionsNoResetAndAutoPrepareUnlessGiven()
    {
        using var defaults = PgOptionsValidator.CreateDataSource(new PostgreSqlProfileShareStoreOptions { ConnectionString = "Host=db;Username=app" });
        using var given = PgOptionsValidator.CreateDataSource(new PostgreSqlProfileShareStoreOptions { ConnectionString = "Host=db;Username=app;Command Timeout=9;No Reset On Close=false" });

        var chosen = new NpgsqlConnectionStringBuilder(defaults.ConnectionString);
        var kept = new NpgsqlConnectionStringBuilder(given.ConnectionString);
        Assert.Equal((5, 5, true, 32), (chosen.Timeout, chosen.CommandTimeout, chosen.NoResetOnClose, chosen.MaxAutoPrepare));
        Assert.Equal((9, false), (kept.CommandTimeout, kept.NoResetOnClose));
    }

    [Fact]
    public async Task UsePostgreSqlStore_ApplicationRegisteredADataSource_StoreUsesItAndLeavesItOpen()
    {
        var schema = postgres.NewSchema();
        var services = new ServiceCollection();
        services.AddSingleton(postgres.DataSource);
        services.AddAbdmProfileShare(ConfigureValidOptions).UsePostgreSqlStore(o => o.Schema = schema);
        var provider = services.BuildServiceProvider();

        var store = Assert.IsType<PostgreSqlProfileShareStore>(provider.GetRequiredService<IProfileShareStore>());
        var created = await store.AcceptShareAsync(NewIntake("di@sbx"));
        await provider.DisposeAsync();

        Assert.Equal(ShareIntakeOutcome.Created, created.Outcome);
        Assert.Single(services, d => d.ServiceType == typeof(IProfileShareStore));
        await using var command = postgres.DataSource.CreateCommand($"SELECT COUNT(*) FROM {schema}.entries"); // still usable
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    private static void ConfigureValidOptions(AbdmProfileShareOptions options)
    {
        options.HipIds.Add(Hip);
        options.Gateway.ClientId = "test-client";
        options.Gateway.ClientSecret = "test-secret-not-real";
    }
}
