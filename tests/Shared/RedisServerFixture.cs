using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Abdm.ProfileShare.Tests.Shared;

/// <summary>
/// A real Redis server for the tests: the one named by <c>ABDM_TEST_REDIS</c> (host:port, set by .ci/run), or a
/// <c>redis-server</c> this fixture starts on a free loopback port (without persistence) and stops afterwards.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "ABDM_TEST_REDIS";

    private Process? _server;

    /// <summary>host:port of the server.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>A connection the tests share.</summary>
    public IConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Endpoint = configured.Trim();
        }
        else
        {
            Endpoint = await StartServerAsync();
        }

        try
        {
            Connection = await ConnectAsync();
        }
        catch (RedisConnectionException exception)
        {
            throw new InvalidOperationException(
                $"The Redis store tests could not connect to Redis at {Endpoint}. Set {EnvironmentVariable}=host:port or install redis-server " +
                "(apt-get install redis-server).", exception);
        }
    }

    /// <summary>Opens another connection (a second "instance").</summary>
    public async Task<IConnectionMultiplexer> ConnectAsync() =>
        await ConnectionMultiplexer.ConnectAsync($"{Endpoint},abortConnect=true,connectTimeout=5000");

    /// <summary>Deletes every key under <paramref name="prefix"/> (a test's own key prefix).</summary>
    public async Task DeleteKeysAsync(string prefix)
    {
        var database = Connection.GetDatabase();
        foreach (var server in Connection.GetServers())
        {
            var batch = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 500))
            {
                batch.Add(key);
                if (batch.Count == 500)
                {
                    await database.KeyDeleteAsync([.. batch]);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await database.KeyDeleteAsync([.. batch]);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_server is { HasExited: false })
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
    }

    private async Task<string> StartServerAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "notice" })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _server = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException(
                $"The Redis store tests need a real Redis: set {EnvironmentVariable}=host:port, or install redis-server " +
                "(apt-get install redis-server) so the tests can start one.", exception);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _server.EnableRaisingEvents = true;
        _server.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited before it was ready."));
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return $"127.0.0.1:{port}";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
