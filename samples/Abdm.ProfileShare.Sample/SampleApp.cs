using System.Reflection;
using Abdm.ProfileShare.AspNetCore;
using Abdm.ProfileShare.Sample.Counters;
using Abdm.ProfileShare.Sample.Display;
using Abdm.ProfileShare.Sample.Handlers;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Sample.Patients;
using Abdm.ProfileShare.Sample.Simulation;
using Abdm.ProfileShare.Sqlite;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;

namespace Abdm.ProfileShare.Sample;

/// <summary>
/// Builds and starts the sample HIS: the Abdm.ProfileShare SDK (callbacks under <c>/abdm</c>), the counter screens,
/// QR codes, registration and patient list, and in simulator mode the gateway simulator in this process.
/// </summary>
internal static class SampleApp
{
    /// <summary>The URL the sample listens on unless <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>The path the gateway callbacks are mapped under: the callback (bridge) URL is <c>{host}/abdm</c>.</summary>
    public const string CallbackPath = "/abdm";

    /// <summary>Builds and starts the sample; dispose the result to stop it.</summary>
    /// <param name="args">Command-line arguments (configuration: <c>--urls</c>, <c>--Sample:Mode</c>, ...).</param>
    /// <param name="configure">Further set-up of the builder (tests use it to quiet logging).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<RunningSample> StartAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(SampleApp).Assembly.GetName().Name,
            ContentRootPath = ProjectDirectory(),
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var sample = builder.Configuration.GetSection(SampleOptions.SectionName).Get<SampleOptions>() ?? new SampleOptions();
        var problems = sample.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The sample's configuration is invalid: " + string.Join(" ", problems));
        }

        var dataDirectory = Path.GetFullPath(sample.DataDirectory, builder.Environment.ContentRootPath);
        Directory.CreateDirectory(dataDirectory);
        var databasePath = Path.Combine(dataDirectory, "sample.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();

        builder.Services.Configure<SampleOptions>(builder.Configuration.GetSection(SampleOptions.SectionName));
        builder.Services.AddSingleton<Facilities>();
        builder.Services.AddSingleton<LocalClock>();
        builder.Services.AddSingleton(new PatientRecords(connectionString));
        builder.Services.AddRazorPages();
        builder.Services.AddAntiforgery();

        // The SDK: options from the "AbdmProfileShare" section; the HIP ids are the configured facilities.
        var simulatorHolder = new SimulatorHolder();
        var abdm = builder.Services.AddAbdmProfileShare(options =>
        {
            foreach (var facility in sample.ActiveFacilities.Where(f => !options.HipIds.Contains(f.HipId)))
            {
                options.HipIds.Add(facility.HipId);
            }

            if (simulatorHolder.Control is { } simulator)
            {
                options.Gateway.BaseUrl = simulator.BaseUrlFor(options.WireVersion); // AbdmProfileShare:WireVersion = V05 | V10 | V3
                options.Gateway.ClientId = simulator.ClientId;
                options.Gateway.ClientSecret = simulator.ClientSecret;
            }
        });
        abdm.UseSqliteStore(connectionString)                  // queue, outbox, linking tokens: same file as the patient list
            .AddPatientDirectory<SamplePatientDirectory>()    // new or returning patient, from the sample's patient list
            .AddProfileShareHandler<SampleShareHandler>()      // refuses scans at unknown counters, in words
            .AddLinkingTokenHandler<SampleLinkingTokenHandler>() // hears how each linking-token chain ended
            .AddHealthChecks();                                  // store, outbox, gateway session, gateway keys
        SampleTelemetry.Add(builder);                            // OpenTelemetry: Sample:Telemetry:Exporter = none | console | otlp
        builder.Services.AddSingleton(simulatorHolder);

        configure?.Invoke(builder);
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SampleApp).FullName!);
        try
        {
            // The simulator starts before anything reads the SDK's options, so they point at it.
            if (sample.Mode == SampleMode.Simulator)
            {
                simulatorHolder.Control = await SimulatorControl.StartAsync(app.Services.GetRequiredService<ILoggerFactory>(), cancellationToken);
            }

            await app.Services.GetRequiredService<PatientRecords>().InitializeAsync(cancellationToken);

            if (!app.Environment.IsDevelopment())
            {
                app.UseExceptionHandler("/Error");
            }

            app.UseStatusCodePagesWithReExecute("/status", "?code={0}");
            app.UseStaticFiles();
            app.UseAntiforgery();
            app.MapRazorPages();
            app.MapCounterEndpoints();
            if (simulatorHolder.Control is not null)
            {
                app.MapSimulatorEndpoints();
            }

            // The gateway's callbacks (profile share, auth on-init/on-confirm), each verified with the gateway's JWT.
            app.MapGroup(CallbackPath).MapAbdmProfileShare();
            app.MapHealthChecks("/health");

            await app.StartAsync(cancellationToken);

            var root = ListeningRoot(app);
            if (simulatorHolder.Control is { } control)
            {
                var callbackBase = new Uri(root, CallbackPath.TrimStart('/'));
                foreach (var facility in sample.ActiveFacilities)
                {
                    control.RegisterHip(facility.HipId, callbackBase);
                    SampleLog.HipRegistered(logger, facility.HipId, callbackBase);
                }
            }
            else
            {
                SampleLog.SandboxMode(logger, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AbdmProfileShareOptions>>().Value.GetGatewayBaseUrl());
            }

            SampleLog.DataLocation(logger, databasePath);
            SampleLog.Started(logger, sample.Mode, root);
            return new RunningSample(app, root, dataDirectory, simulatorHolder.Control);
        }
        catch
        {
            await app.DisposeAsync();
            if (simulatorHolder.Control is { } started)
            {
                await started.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The folder of the sample project when running from a clone (so <c>dotnet run --project</c> works from anywhere).</summary>
    private static string? ProjectDirectory()
    {
        var directory = typeof(SampleApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SampleProjectDirectory")?.Value;
        return directory is not null && File.Exists(Path.Combine(directory, "appsettings.json")) ? directory : null;
    }

    /// <summary>The root URL the app listens on, with a wildcard host replaced by 127.0.0.1.</summary>
    private static Uri ListeningRoot(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.First();
        var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        uri.Path = "/";
        return uri.Uri;
    }

    /// <summary>Holds the simulator once started (the SDK's options read it lazily).</summary>
    internal sealed class SimulatorHolder
    {
        public SimulatorControl? Control { get; set; }
    }
}

/// <summary>A started sample: its app, home URL, data folder and (in simulator mode) the simulator.</summary>
internal sealed class RunningSample(WebApplication app, Uri homeUrl, string dataDirectory, SimulatorControl? simulator) : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    public Uri HomeUrl { get; } = homeUrl;

    public string DataDirectory { get; } = dataDirectory;

    public SimulatorControl? Simulator { get; } = simulator;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            if (Simulator is not null)
            {
                await Simulator.DisposeAsync();
            }
        }
    }
}
