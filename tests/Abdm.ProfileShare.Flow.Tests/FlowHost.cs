using System.Net;
using Abdm.ProfileShare.AspNetCore;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sqlite;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Testing;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.FlowTests;

/// <summary>Which store the host under test uses.</summary>
public enum FlowStore
{
    /// <summary>The in-memory store (the default).</summary>
    InMemory,

    /// <summary>The SQLite store on a temporary file, deleted when the host is disposed.</summary>
    Sqlite,
}

/// <summary>How <see cref="FlowHost.StartAsync(FlowHostOptions?)"/> sets up the simulator and the host.</summary>
public sealed class FlowHostOptions
{
    /// <summary>The host's store. Default: in-memory.</summary>
    public FlowStore Store { get; set; } = FlowStore.InMemory;

    /// <summary>
    /// The deployment's wire version (<c>AbdmProfileShare:WireVersion</c>): the host's outbound calls and the simulator
    /// base URL it uses. Default: <see cref="WireVersion.V05"/> (the v0.5 gateway, answering v0.5 and v1.0 shares).
    /// </summary>
    public WireVersion WireVersion { get; set; } = WireVersion.V05;

    /// <summary>Changes the host's options after the fixture's defaults (small retry delays, the simulator's URL and credentials).</summary>
    public Action<AbdmProfileShareOptions>? ConfigureHost { get; set; }

    /// <summary>Changes the simulator's options (client id and secret are set by the fixture).</summary>
    public Action<GatewaySimulatorOptions>? ConfigureSimulator { get; set; }

    /// <summary>Further set-up of the SDK (handlers, a directory, ...).</summary>
    public Action<AbdmProfileShareBuilder>? ConfigureBuilder { get; set; }

    /// <summary>Where the host's logs go (for example a test's output); none by default.</summary>
    public ILoggerProvider? Logs { get; set; }
}

/// <summary>
/// The full flow over real HTTP: the gateway simulator and a minimal ASP.NET Core host
/// (<c>AddAbdmProfileShare</c> + <c>MapAbdmProfileShare</c>) as two Kestrel servers on 127.0.0.1 (free ports), the
/// host registered with the simulator as <see cref="HipId"/> under its real URL. The host verifies every callback
/// token against the simulator's JWKS for real. Disposing stops both and deletes the SQLite file, if any.
/// </summary>
public sealed class FlowHost : IAsyncDisposable
{
    /// <summary>The HIP id the host serves and the simulator knows.</summary>
    public const string HipId = "HIP-FLOW-1";

    /// <summary>The client id shared by the simulator and the host.</summary>
    public const string ClientId = "flow-client";

    /// <summary>The client secret shared by the simulator and the host (obviously not a real one).</summary>
    public const string ClientSecret = "flow-secret-not-real";

    /// <summary>How long a test waits for one asynchronous outcome.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private int _disposed;

    private FlowHost(AbdmGatewaySimulator gateway, WebApplication app, Uri hostUrl, string? databasePath)
    {
        Gateway = gateway;
        App = app;
        HostUrl = hostUrl;
        DatabasePath = databasePath;
    }

    /// <summary>The gateway simulator (journal, faults, keys).</summary>
    public AbdmGatewaySimulator Gateway { get; }

    /// <summary>The host under test.</summary>
    public WebApplication App { get; }

    /// <summary>The host's real URL (<c>http://127.0.0.1:{port}/</c>), registered with the simulator.</summary>
    public Uri HostUrl { get; }

    /// <summary>The SQLite file, when <see cref="FlowStore.Sqlite"/>.</summary>
    public string? DatabasePath { get; }

    /// <summary>The host's counter queue.</summary>
    public ICounterQueue Queue => App.Services.GetRequiredService<ICounterQueue>();

    /// <summary>The host's store.</summary>
    public IProfileShareStore Store => App.Services.GetRequiredService<IProfileShareStore>();

    /// <summary>Starts a simulator and a host with the defaults and <paramref name="configureHost"/>.</summary>
    /// <param name="configureHost">Changes the host's options.</param>
    /// <returns>The running pair.</returns>
    public static Task<FlowHost> StartAsync(Action<AbdmProfileShareOptions> configureHost) =>
        StartAsync(new FlowHostOptions { ConfigureHost = configureHost });

    /// <summary>Starts a simulator, then the host on a free loopback port, and registers the host with the simulator.</summary>
    /// <param name="options">The set-up; defaults when null.</param>
    /// <returns>The running pair.</returns>
    public static async Task<FlowHost> StartAsync(FlowHostOptions? options = null)
    {
        options ??= new FlowHostOptions();
        var simulatorOptions = new GatewaySimulatorOptions { ClientId = ClientId, ClientSecret = ClientSecret };
        options.ConfigureSimulator?.Invoke(simulatorOptions);
        var gateway = await AbdmGatewaySimulator.StartAsync(simulatorOptions);

        string? databasePath = null;
        WebApplication? app = null;
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });

            // The test machine's settings (ASPNETCORE_URLS, appsettings, AbdmProfileShare__* variables) are not the test's.
            builder.Configuration.Sources.Clear();
            builder.Logging.ClearProviders();
            if (options.Logs is { } logs)
            {
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
            }

            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var abdm = builder.Services.AddAbdmProfileShare(o =>
            {
                o.HipIds.Add(HipId);
                o.WireVersion = options.WireVersion;
                o.Gateway.BaseUrl = gateway.BaseUrlFor(options.WireVersion);
                o.Gateway.ClientId = ClientId;
                o.Gateway.ClientSecret = ClientSecret;
                o.Resilience.MaxRetryAttempts = 1;
                o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
                o.Outbox.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
                o.Outbox.RetryMaxDelay = TimeSpan.FromMilliseconds(500);
                options.ConfigureHost?.Invoke(o);
            });

            if (options.Store == FlowStore.Sqlite)
            {
                databasePath = Path.Combine(Path.GetTempPath(), $"abdm-flow-{Guid.NewGuid():N}.db");
                abdm.UseSqliteStore(new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString());
            }

            options.ConfigureBuilder?.Invoke(abdm);

            app = builder.Build();
            app.MapAbdmProfileShare();
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var hostUrl = new Uri(address.TrimEnd('/') + "/");
            gateway.RegisterHip(HipId, hostUrl);
            return new FlowHost(gateway, app, hostUrl, databasePath);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await gateway.DisposeAsync();
            DeleteDatabase(databasePath);
            throw;
        }
    }

    /// <summary>Plays a patient scanning <paramref name="counter"/>'s QR code at <see cref="HipId"/>.</summary>
    /// <param name="patient">The patient.</param>
    /// <param name="version">The wire version.</param>
    /// <param name="counter">The counter code.</param>
    /// <returns>The share, once the host answered it.</returns>
    public Task<SimulatedShare> ScanAsync(SharedPatientProfile patient, WireVersion version = WireVersion.V10, string counter = "counter-1") =>
        Gateway.ScanAsync(new SimulatedScan(HipId, counter, patient, version));

    /// <summary>What the phone shows for <paramref name="share"/>, within <see cref="Wait"/>.</summary>
    /// <param name="share">The share.</param>
    /// <returns>The acknowledgement.</returns>
    public static Task<PhoneAcknowledgement> PhoneAsync(SimulatedShare share) => share.Acknowledgement.WaitAsync(Wait);

    /// <summary>The queue entry the host made (or refreshed) for <paramref name="share"/>; it exists once the host answered 202.</summary>
    /// <param name="share">The share.</param>
    /// <returns>The entry.</returns>
    public async Task<QueueEntry> EntryForAsync(SimulatedShare share)
    {
        var entries = await Queue.ListAsync(HipId, share.Scan.CounterCode);
        return entries.SingleOrDefault(e => e.LatestShareRequestId == share.RequestId)
               ?? entries.Single(e => string.Equals(e.Profile.HealthId, share.HealthId, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Waits (on the store's change feed, never sleeping) until entry <paramref name="entryId"/> satisfies <paramref name="condition"/>.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="condition">The condition.</param>
    /// <param name="timeout">How long; <see cref="Wait"/> by default.</param>
    /// <returns>The entry as it satisfied the condition.</returns>
    /// <exception cref="TimeoutException">It did not in time (the message has the entry's last state and the journal).</exception>
    public async Task<QueueEntry> WaitForEntryAsync(Guid entryId, Func<QueueEntry, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Wait);
        var changes = Store.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var pending = changes.MoveNextAsync().AsTask();
        QueueEntry? last = null;
        try
        {
            while (true)
            {
                last = await Store.GetEntryAsync(entryId, CancellationToken.None);
                if (last is not null && condition(last))
                {
                    return last;
                }

                if (!await pending)
                {
                    throw new TimeoutException("The store's change feed ended.");
                }

                pending = changes.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Entry {entryId} did not reach the expected state in time. Last: {last}, linking {last?.Linking.State} ({last?.Linking.ErrorMessage}), acknowledgement {last?.Acknowledgement}.{Environment.NewLine}Journal:{Environment.NewLine}{Gateway.Journal.Describe(30)}");
        }
        finally
        {
            await cts.CancelAsync();
            try
            {
                await pending;
            }
            catch (OperationCanceledException)
            {
                // Ended by the cancellation above.
            }

            await changes.DisposeAsync();
        }
    }

    /// <summary>Stops the host (its outbox first), then the simulator, and deletes the SQLite file.</summary>
    /// <returns>A task that completes when everything stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await App.StopAsync(timeout.Token);
        }
        finally
        {
            await App.DisposeAsync();
            await Gateway.DisposeAsync();
            DeleteDatabase(DatabasePath);
        }
    }

    private static void DeleteDatabase(string? path)
    {
        if (path is null)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // A temporary file; the OS cleans the temp folder.
            }
        }
    }
}
