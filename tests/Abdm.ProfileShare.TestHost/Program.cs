using Abdm.ProfileShare.AspNetCore;
using Abdm.ProfileShare.PostgreSql;
using Abdm.ProfileShare.Redis;
using Abdm.ProfileShare.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.TestHost;

/// <summary>
/// A minimal HIS host of the SDK for the durability tests: <c>AddAbdmProfileShare()</c> bound to the standard
/// configuration, one durable store, <c>MapAbdmProfileShare()</c> with real gateway-JWT verification, and a few
/// read-only test endpoints under <c>/_test</c>. Prints <c>ABDM-TESTHOST READY {url}</c> once it listens.
/// </summary>
/// <remarks>
/// Settings come from the command line or the environment (standard .NET configuration):
/// <code>
/// dotnet Abdm.ProfileShare.TestHost.dll --urls http://127.0.0.1:5000
///     --AbdmProfileShare:HipIds:0=HIP-1
///     --AbdmProfileShare:Gateway:BaseUrl=http://127.0.0.1:5080/gateway
///     --AbdmProfileShare:Gateway:ClientId=sim-client          (the secret: env AbdmProfileShare__Gateway__ClientSecret)
///     --TestHost:Store=sqlite:/tmp/queue.db | redis:127.0.0.1:6379 | postgres:Host=127.0.0.1;Port=5432;... | memory
///     [--TestHost:KeyPrefix=abdm:ps:]    the Redis key prefix, or the PostgreSQL schema
///     [--TestHost:Instance=A]            sent as X-Test-Instance on every gateway call (the tests route callbacks by it)
///     [--TestHost:ExitWithStdin=true]    stop gracefully when stdin closes (so a dying test never leaves it behind)
///     [--TestHost:KeyRing=/tmp/keys]     the Data Protection key ring folder (linking tokens are encrypted with it):
///                                        instances sharing a store share it, as a multi-instance deployment must
///     [--AbdmProfileShare:Outbox:LeaseDuration=00:00:05 ...]  any SDK option
/// </code>
/// Outbox and resilience delays default to small test values (see <see cref="TestDefaults"/>).
/// </remarks>
internal static class Program
{
    public const string ReadyMarker = "ABDM-TESTHOST READY";

    private static readonly Dictionary<string, string?> TestDefaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AbdmProfileShare:Resilience:MaxRetryAttempts"] = "1",
        ["AbdmProfileShare:Resilience:RetryBaseDelay"] = "00:00:00.020",
        ["AbdmProfileShare:Outbox:RetryBaseDelay"] = "00:00:00.050",
        ["AbdmProfileShare:Outbox:RetryMaxDelay"] = "00:00:00.500",
        ["AbdmProfileShare:Outbox:LeaseDuration"] = "00:00:05",
        ["AbdmProfileShare:Outbox:IdleCheckInterval"] = "00:00:01",
        ["Logging:LogLevel:Default"] = "Warning",
        ["TestHost:KeyPrefix"] = "abdm:ps:",
    };

    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);

        // Test defaults first, so the environment and the command line override them.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = TestDefaults });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });

        var settings = builder.Configuration.GetSection("TestHost");
        var instance = settings["Instance"];
        var abdm = builder.Services.AddAbdmProfileShare();
        if (!TryUseStore(abdm, settings["Store"], settings["KeyPrefix"]!, out var problem))
        {
            await Console.Error.WriteLineAsync(problem);
            return 2;
        }

        if (settings["KeyRing"] is { Length: > 0 } keyRing)
        {
            // What a deployment of several instances does: one key ring, one application name.
            builder.Services.AddDataProtection()
                .PersistKeysToFileSystem(new DirectoryInfo(keyRing))
                .SetApplicationName("Abdm.ProfileShare.TestHost");
        }

        if (!string.IsNullOrEmpty(instance))
        {
            abdm.GatewayHttpClient.AddHttpMessageHandler(() => new InstanceHeaderHandler(instance));
        }

        var app = builder.Build();
        app.MapAbdmProfileShare();
        TestEndpoints.Map(app, instance);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await Console.Out.WriteLineAsync($"{ReadyMarker} {address}");
        await Console.Out.FlushAsync();

        if (settings.GetValue<bool>("ExitWithStdin"))
        {
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = Task.Run(async () =>
            {
                var buffer = new char[64];
                while (await Console.In.ReadAsync(buffer) > 0)
                {
                }

                lifetime.StopApplication();
            });
        }

        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    private static bool TryUseStore(AbdmProfileShareBuilder abdm, string? store, string keyPrefix, out string problem)
    {
        problem = "";
        if (store is not null && store.StartsWith("sqlite:", StringComparison.Ordinal) && store.Length > "sqlite:".Length)
        {
            abdm.UseSqliteStore("Data Source=" + store["sqlite:".Length..]);
            return true;
        }

        if (store is not null && store.StartsWith("redis:", StringComparison.Ordinal) && store.Length > "redis:".Length)
        {
            abdm.UseRedisStore(store["redis:".Length..] + ",abortConnect=false", keyPrefix);
            return true;
        }

        if (store is not null && store.StartsWith("postgres:", StringComparison.Ordinal) && store.Length > "postgres:".Length)
        {
            abdm.UsePostgreSqlStore(options =>
            {
                options.ConnectionString = store["postgres:".Length..];
                options.Schema = keyPrefix == "abdm:ps:" ? PostgreSqlProfileShareStoreOptions.DefaultSchema : keyPrefix;
            });
            return true;
        }

        if (store == "memory")
        {
            abdm.UseInMemoryStore();
            return true;
        }

        problem = "Set --TestHost:Store to sqlite:<path>, redis:<host:port>, postgres:<connection string> or memory.";
        return false;
    }
}
