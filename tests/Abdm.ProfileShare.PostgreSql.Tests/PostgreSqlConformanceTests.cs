using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Storage.Conformance;

namespace Abdm.ProfileShare.PostgreSql.Tests;

/// <summary>
/// The conformance suite, unchanged, against a real PostgreSQL; each test in a schema of its own. Leases are timed by
/// the contract's <c>now</c> (<see cref="PostgreSqlLeaseClock.Caller"/>), because the suite drives time with a fake clock;
/// the default database clock has its own facts in <see cref="PostgreSqlProfileShareStoreTests"/>.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlConformanceTests(PostgreSqlServerFixture postgres) : ProfileShareStoreConformanceTests
{
    private readonly string _schema = postgres.NewSchema();

    protected override async Task<IProfileShareStore> CreateStoreAsync()
    {
        var store = new PostgreSqlProfileShareStore(postgres.DataSource, new PostgreSqlProfileShareStoreOptions { Schema = _schema, LeaseClock = PostgreSqlLeaseClock.Caller });
        await store.InitializeAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await postgres.DropSchemaAsync(_schema);
    }
}
