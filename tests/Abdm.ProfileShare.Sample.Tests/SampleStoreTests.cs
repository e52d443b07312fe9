using Abdm.ProfileShare.PostgreSql;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary><c>Sample:Store</c>: the sample on PostgreSQL (the test cluster .ci/run starts), and its settings checked by key.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SampleStoreTests(BrowserFixture browser)
{
    [Fact]
    public async Task Start_StorePostgreSql_ScansQueuedInTheConfiguredSchema()
    {
        var connectionString = Environment.GetEnvironmentVariable("ABDM_TEST_POSTGRES");
        Assert.False(string.IsNullOrWhiteSpace(connectionString), "Set ABDM_TEST_POSTGRES to the test cluster's connection string (bash .ci/run starts one).");
        var schema = $"sample_{Guid.NewGuid():N}";
        await using var database = NpgsqlDataSource.Create(connectionString!);
        try
        {
            await using (var host = await SampleHost.StartAsync(browser.Browser, args:
                ["--Sample:Store", "PostgreSql", "--AbdmProfileShare:PostgreSql:ConnectionString", connectionString!, "--AbdmProfileShare:PostgreSql:Schema", schema]))
            {
                Assert.IsType<PostgreSqlProfileShareStore>(host.Sample.App.Services.GetRequiredService<IProfileShareStore>());
                Assert.Equal("1", await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("asha.testpatient@sbx")));
                Assert.Equal("2", await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("ravi.sampleuser@sbx")));
            }

            await using var count = database.CreateCommand($"SELECT COUNT(*) FROM {schema}.entries");
            Assert.Equal(2L, await count.ExecuteScalarAsync());
        }
        finally
        {
            await using var drop = database.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public void ReadOptions_StoreRedisWithoutConfiguration_NamesSampleRedis()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sample:Store"] = "Redis",
            ["Sample:Facilities:0:HipId"] = "HIP-1",
            ["Sample:Facilities:0:Counters:0:Code"] = "OPD",
        }).Build();

        var failure = Assert.Throws<InvalidOperationException>(() => SampleApp.ReadOptions(configuration));

        Assert.Contains("Sample:Redis is required", failure.Message, StringComparison.Ordinal);
    }
}
