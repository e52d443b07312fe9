using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Npgsql;
using static Abdm.ProfileShare.PostgreSql.Tests.StoreTestSupport;

namespace Abdm.ProfileShare.PostgreSql.Tests;

/// <summary>
/// The least-privilege set-up of docs/stores.md, exactly as written there: a migration role owns the schema and migrates
/// it, and the application's runtime role, with only the grants listed, runs every operation of the store.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlRolesTests(PostgreSqlServerFixture postgres) : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    private string Owner => $"abdm_owner_{_suffix}";

    private string App => $"abdm_app_{_suffix}";

    private string Schema => $"abdm_{_suffix}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var sql in new[] { $"DROP SCHEMA IF EXISTS {Schema} CASCADE", $"DROP OWNED BY {Owner}, {App}", $"DROP ROLE IF EXISTS {App}", $"DROP ROLE IF EXISTS {Owner}" })
        {
            try
            {
                await ExecuteAsync(sql);
            }
            catch (PostgresException)
            {
                // A role that was never created.
            }
        }
    }

    [Fact]
    public async Task RuntimeRole_OnlyTheDocumentedGrants_RunsEveryOperationAfterTheOwnerMigrated()
    {
        var database = new NpgsqlConnectionStringBuilder(postgres.ConnectionString).Database ?? "postgres";
        await ExecuteAsync($"CREATE ROLE {Owner} LOGIN");
        await ExecuteAsync($"CREATE ROLE {App} LOGIN");
        await ExecuteAsync($"GRANT CONNECT ON DATABASE {database} TO {Owner}, {App}");
        await ExecuteAsync($"CREATE SCHEMA {Schema} AUTHORIZATION {Owner}");
        await ExecuteAsync($"GRANT USAGE ON SCHEMA {Schema} TO {App}");
        await ExecuteAsync($"ALTER DEFAULT PRIVILEGES FOR ROLE {Owner} IN SCHEMA {Schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {App}");
        await ExecuteAsync($"ALTER DEFAULT PRIVILEGES FOR ROLE {Owner} IN SCHEMA {Schema} GRANT USAGE, SELECT ON SEQUENCES TO {App}");

        await using (var migration = new PostgreSqlProfileShareStore(new PostgreSqlProfileShareStoreOptions { ConnectionString = As(Owner), Schema = Schema }))
        {
            await migration.InitializeAsync();
        }

        await ExecuteAsync($"REVOKE INSERT, UPDATE, DELETE ON {Schema}.schema_version FROM {App}");

        await using var store = new PostgreSqlProfileShareStore(new PostgreSqlProfileShareStoreOptions { ConnectionString = As(App), Schema = Schema });
        await using var feed = FeedCollector.Start(store);
        var created = (await store.AcceptShareAsync(NewIntake("roles@sbx"))).Entry;
        var item = Assert.Single(await store.LeaseOutboxItemsAsync("owner", T0, TimeSpan.FromMinutes(1), 10));
        Assert.True(await store.RescheduleOutboxItemAsync(item.Id, "owner", T0, 1, "retry"));
        var token = new LinkingTokenRecord { HipId = Hip, HealthId = "roles@sbx", Token = "dp1:ciphertext", EntryId = created.Id, ReceivedAt = T0, ExpiresAt = T0 + TimeSpan.FromDays(1) };
        Assert.True(await store.TryUpdateEntryAsync(new EntryUpdate { Entry = created with { Status = QueueEntryStatus.Completed }, LinkingToken = token, CompleteOutboxItemId = item.Id }));
        Assert.True(await store.MarkLinkingTokenUsedAsync(Hip, "roles@sbx", T0));
        Assert.Equal(1, await store.PurgeAsync(T0 + TimeSpan.FromDays(2), T0));
        await feed.WaitForAsync(c => c.Count >= 2, Wait);

        // And the runtime role cannot change the schema or its version.
        var refused = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = new NpgsqlConnection(As(App));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"UPDATE {Schema}.schema_version SET version = 0", connection);
            await command.ExecuteNonQueryAsync();
        });
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    private string As(string role) => new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Username = role, Password = null }.ConnectionString;

    private async Task ExecuteAsync(string sql)
    {
        await using var command = postgres.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
