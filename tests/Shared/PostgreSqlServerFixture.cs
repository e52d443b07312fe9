using System.Diagnostics;
using Npgsql;

namespace Abdm.ProfileShare.Tests.Shared;

/// <summary>
/// The throw-away PostgreSQL cluster .ci/run starts for the tests: <c>ABDM_TEST_POSTGRES</c> is its connection string
/// (a superuser on a loopback port), <c>ABDM_TEST_POSTGRES_CTL</c> a script that stops, starts or restarts it
/// (<c>ctl.sh stop|start|restart</c>, run as the cluster's owner). Tests never touch a server they did not start: without
/// the variable the fixture fails, naming it.
/// </summary>
public sealed class PostgreSqlServerFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "ABDM_TEST_POSTGRES";
    public const string ControlVariable = "ABDM_TEST_POSTGRES_CTL";
    public const string RestartableVariable = "ABDM_TEST_POSTGRES_RESTARTABLE";

    private readonly List<string> _schemas = [];

    /// <summary>The superuser connection string of the test cluster.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A data source the tests share for set-up and inspection.</summary>
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"The PostgreSQL store tests need the throw-away cluster .ci/run starts: set {EnvironmentVariable} to its connection string " +
                "(for example Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres), or run bash .ci/run.");
        }

        ConnectionString = configured.Trim();
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        try
        {
            await using var command = DataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync();
        }
        catch (NpgsqlException exception)
        {
            throw new InvalidOperationException($"The PostgreSQL store tests could not connect to the cluster named by {EnvironmentVariable}.", exception);
        }
    }

    /// <summary>A new schema name, dropped when the fixture is disposed (or by <see cref="DropSchemaAsync"/>).</summary>
    public string NewSchema()
    {
        var schema = $"t_{Guid.NewGuid():N}";
        lock (_schemas)
        {
            _schemas.Add(schema);
        }

        return schema;
    }

    public async Task DropSchemaAsync(string schema)
    {
        await using var command = DataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A connection string to the test cluster with extra settings (an application name, a pool of its own).</summary>
    public string ConnectionStringWith(string applicationName) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString;

    /// <summary>
    /// The connection string of the second cluster, the one <see cref="ControlAsync"/> stops and starts (so a restart
    /// never disturbs tests running on the shared one); fails naming the variables when they are not set.
    /// </summary>
    public static string RestartableConnectionString()
    {
        var configured = Environment.GetEnvironmentVariable(RestartableVariable);
        if (string.IsNullOrWhiteSpace(configured) || string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ControlVariable)))
        {
            throw new InvalidOperationException(
                $"This test restarts PostgreSQL: set {RestartableVariable} to the connection string of a throw-away cluster and {ControlVariable} to its control script (ctl.sh stop|start|restart); bash .ci/run starts one.");
        }

        return configured.Trim();
    }

    /// <summary>Runs the restartable cluster's control script (<c>stop</c>, <c>start</c>, <c>restart</c>); fails naming the variable when it is not set.</summary>
    public static async Task ControlAsync(string action)
    {
        var script = Environment.GetEnvironmentVariable(ControlVariable);
        if (string.IsNullOrWhiteSpace(script) || !File.Exists(script))
        {
            throw new InvalidOperationException($"This test stops and starts the test cluster: set {ControlVariable} to the control script .ci/run writes (ctl.sh stop|start|restart).");
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(action);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {action} failed ({process.ExitCode}): {await output} {await error}");
        }
    }

    public async Task DisposeAsync()
    {
        if (DataSource is null)
        {
            return;
        }

        string[] schemas;
        lock (_schemas)
        {
            schemas = [.. _schemas];
        }

        foreach (var schema in schemas)
        {
            try
            {
                await DropSchemaAsync(schema);
            }
            catch (NpgsqlException)
            {
                // The cluster may be stopped by a failed test; .ci/run removes it anyway.
            }
        }

        await DataSource.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServerFixture>
{
    public const string Name = "postgresql";
}
