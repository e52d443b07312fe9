using Xunit.Abstractions;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// Several instances with the PostgreSQL store: two TestHost processes share one database (a schema of their own), and
/// the gateway delivers every callback to the instance that did not make the matching call
/// (<see cref="MultiInstanceScenario"/>). Each instance has its own connection pool, its own LISTEN connection for the
/// change feed and its own outbox owner id, as two servers behind a load balancer have.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class MultiInstancePostgreSqlTests : IAsyncLifetime
{
    private readonly PostgreSqlServerFixture _postgres = new();
    private readonly ITestOutputHelper _output;

    // The instances share one Data Protection key ring (linking tokens are encrypted with it), as a deployment must.
    private readonly string _keyRing = Directory.CreateTempSubdirectory("abdm-keyring-").FullName;

    public MultiInstancePostgreSqlTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public Task InitializeAsync() => _postgres.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
        Directory.Delete(_keyRing, recursive: true);
    }

    [Fact]
    public Task TwoInstances_EachCallbackToTheOtherInstance_OneQueueGaplessTokensEveryChainLinked() =>
        MultiInstanceScenario.RunAsync(
            _output,
            new Dictionary<string, string> { ["TestHost:Store"] = "postgres:" + _postgres.ConnectionString, ["TestHost:KeyPrefix"] = _postgres.NewSchema() },
            _keyRing);
}
