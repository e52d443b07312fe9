using System.Reflection;
using Abdm.ProfileShare.AspNetCore;
using Abdm.ProfileShare.Sample.Counters;
using Abdm.ProfileShare.Sample.Display;
using Abdm.ProfileShare.Sample.Handlers;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Sample.Patients;
using Abdm.ProfileShare.Sample.Simulation;
using Abdm.ProfileShare.PostgreSql;
using Abdm.ProfileShare.Redis;
using Abdm.ProfileShare.Sqlite;
using Abdm.ProfileShare.Sample.Operators;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Abdm.ProfileShare.Sample;

/// <summary>
/// Builds and starts the sample HIS: the Abdm.ProfileShare SDK (callbacks under <c>/abdm</c> on their own listener),
/// the counter screens, QR codes, registration and patient list behind operator sign-in, and in simulator mode the
/// gateway simulator in this process.
/// </summary>
internal static class SampleApp
{
    /// <summary>The path the gateway callbacks are mapped under: the callback (bridge) URL is <c>{callback listener}/abdm</c>.</summary>
    public const string CallbackPath = "/abdm";

    /// <summary>Builds and starts the sample; dispose the result to stop it.</summary>
    /// <param name="args">Command-line arguments (configuration: <c>--urls</c>, <c>--Sample:Mode</c>, ...).</param>
    /// <param name="configure">Further set-up of the builder (tests use it to quiet logging).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<RunningSample> StartAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = CreateBuilder(args);
        var listeners = SampleListeners.Configure(builder); // the UI (--urls) and the callbacks (Sample:CallbackUrls)
        var sample = ReadOptions(builder.Configuration);
        var dataDirectory = DataDirectory(builder, sample);
        var databasePath = Path.Combine(dataDirectory, "sample.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();

        builder.Services.Configure<SampleOptions>(builder.Configuration.GetSection(SampleOptions.SectionName));
        builder.Services.AddSingleton<Facilities>();
        builder.Services.AddSingleton<LocalClock>();
        builder.Services.AddSingleton(new PatientRecords(connectionString));
        builder.Services.AddSingleton(provider => OperatorStore.ForDataDirectory(dataDirectory, provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddRazorPages();
        builder.Services.AddAntiforgery();

        // Keys for the sign-in cookie, antiforgery tokens and TempData, kept beside the data: a restart does not
        // sign everyone out or turn open forms into "the antiforgery token could not be decrypted".
        builder.Services.AddDataProtection()
            .SetApplicationName("Abdm.ProfileShare.Sample")
            .PersistKeysToFileSystem(KeysDirectory(dataDirectory));

        // Operators sign in (Operators/OperatorStore.cs); every page and the live feed need a signed-in operator.
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/sign-in";
                options.Cookie.Name = "sample-operator";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
                options.Events.OnRedirectToLogin = context =>
                {
                    // Pages go to the sign-in page; the live feed and the QR images answer 401.
                    if (HttpMethods.IsGet(context.Request.Method) && !IsFeedImageOrFragment(context.Request))
                    {
                        context.Response.Redirect(context.RedirectUri);
                    }
                    else
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    }

                    return Task.CompletedTask;
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(OperatorUser.FacilityClaim).Build());

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
        UseStore(abdm, sample, builder.Configuration.GetSection("AbdmProfileShare:PostgreSql"), connectionString) // Sample:Store = Sqlite | Redis | PostgreSql
            .AddPatientDirectory<SamplePatientDirectory>()    // new or returning patient, from the sample's patient list
            .AddProfileShareHandler<SampleShareHandler>()      // refuses scans at unknown counters, in words
            .AddLinkingTokenHandler<SampleLinkingTokenHandler>() // hears how each linking-token chain ended
            .AddHealthChecks();                                  // store, outbox, gateway session, bridge services (v3), gateway keys
        SampleTelemetry.Add(builder);                            // OpenTelemetry: Sample:Telemetry:Exporter = none | console | otlp
        builder.Services.AddSingleton(simulatorHolder);

        configure?.Invoke(builder);
        listeners.ThrowIfInUse();
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
            if (sample.Mode == SampleMode.Simulator)
            {
                await CreateDemoOperatorsAsync(app.Services.GetRequiredService<OperatorStore>(), sample, logger, cancellationToken);
            }

            // Each listener serves only its own paths: the callbacks and /health on Sample:CallbackUrls, the UI on --urls.
            app.Use(SampleListeners.Gate);
            app.Use(SecurityHeaders.Add);
            if (!app.Environment.IsDevelopment())
            {
                app.UseExceptionHandler("/Error");
                app.UseHsts();
            }

            // Error pages for people: the callback listener answers the gateway with the SDK's own bodies.
            app.UseWhen(context => !SampleListeners.IsCallbackListener(context), ui => ui.UseStatusCodePagesWithReExecute("/status", "?code={0}"));
            app.UseStaticFiles();
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
            app.UseAntiforgery();
            app.MapRazorPages();
            app.MapCounterEndpoints();
            if (simulatorHolder.Control is not null)
            {
                app.MapSimulatorEndpoints();
            }

            // The gateway's callbacks (profile share, auth on-init/on-confirm), each verified with the gateway's JWT by
            // the SDK itself: no operator sign-in there (AllowAnonymous exempts them from the operators' policy).
            app.MapGroup(CallbackPath).MapAbdmProfileShare().AllowAnonymous();
            app.MapHealthChecks("/health").AllowAnonymous();

            await app.StartAsync(cancellationToken);

            var root = listeners.UiRoot;
            var callbackBase = new Uri(listeners.CallbackRoot, CallbackPath.TrimStart('/'));
            if (simulatorHolder.Control is { } control)
            {
                foreach (var facility in sample.ActiveFacilities)
                {
                    control.RegisterHip(facility.HipId, callbackBase);
                }
            }
            else
            {
                SampleLog.SandboxMode(logger, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AbdmProfileShareOptions>>().Value.GetGatewayBaseUrl(), callbackBase);
            }

            var abdmOptions = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AbdmProfileShareOptions>>().Value;
            SampleLog.Configuration(logger, abdmOptions.WireVersion, callbackBase, databasePath);
            SampleLog.Started(logger, sample.Mode, root, app.Environment.EnvironmentName);
            return new RunningSample(app, root, listeners.CallbackRoot, dataDirectory, simulatorHolder.Control);
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

    /// <summary>
    /// The web application builder with the sample's configuration sources (also used by <c>add-operator</c>, so it
    /// reads the same data folder and facilities): appsettings.json, user secrets, the environment, the command line.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        args = SampleListeners.TakeUrls(args, out var urls);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(SampleApp).Assembly.GetName().Name,
            ContentRootPath = ProjectDirectory(),
        });
        if (urls is not null)
        {
            builder.Configuration.AddInMemoryCollection([new("Sample:UiUrls", urls)]);
        }

        // User secrets (sandbox credentials) in every environment, not only Development: the sample runs as
        // Production unless ASPNETCORE_ENVIRONMENT says otherwise. The environment and command line still win.
        if (!builder.Environment.IsDevelopment())
        {
            var sources = builder.Configuration.Sources;
            var environment = sources.FirstOrDefault(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
            var secrets = new ConfigurationBuilder().AddUserSecrets(typeof(SampleApp).Assembly, optional: true).Sources[0];
            sources.Insert(environment is null ? sources.Count : sources.IndexOf(environment), secrets);
        }

        return builder;
    }

    /// <summary>The sample's options, refused at start when invalid (each problem naming its key).</summary>
    /// <summary>
    /// The SDK's store: the SQLite file beside the patient list (default), Redis (<c>Sample:Redis</c>), or PostgreSQL
    /// (the <c>AbdmProfileShare:PostgreSql</c> section: <c>ConnectionString</c>, <c>Schema</c>, <c>CommandTimeout</c>,
    /// validated when the sample starts). The patient list stays in <c>sample.db</c> either way.
    /// </summary>
    private static AbdmProfileShareBuilder UseStore(AbdmProfileShareBuilder abdm, SampleOptions sample, IConfigurationSection postgreSql, string sqliteConnectionString) =>
        sample.Store switch
        {
            SampleStore.Redis => abdm.UseRedisStore(sample.Redis!),
            SampleStore.PostgreSql => abdm.UsePostgreSqlStore(postgreSql),
            _ => abdm.UseSqliteStore(sqliteConnectionString), // queue, outbox, linking tokens: same file as the patient list
        };

    public static SampleOptions ReadOptions(IConfiguration configuration)
    {
        var sample = configuration.GetSection(SampleOptions.SectionName).Get<SampleOptions>() ?? new SampleOptions();
        var problems = sample.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The sample's configuration is invalid: " + string.Join(" ", problems));
        }

        return sample;
    }

    /// <summary>The data folder (<c>Sample:DataDirectory</c>, relative to the project folder), created if missing.</summary>
    public static string DataDirectory(WebApplicationBuilder builder, SampleOptions sample)
    {
        // Patients' data lives here (sample.db, the SDK's store when SQLite, operators, keys): the folder is created
        // readable by the owner only, and sample.db is created (or tightened) to 0600 like the SDK's own database.
        var dataDirectory = Path.GetFullPath(sample.DataDirectory, builder.Environment.ContentRootPath);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
            return dataDirectory;
        }

        Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var database = Path.Combine(dataDirectory, "sample.db");
        if (!File.Exists(database))
        {
            using var created = new FileStream(database, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        else
        {
            File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return dataDirectory;
    }

    /// <summary>
    /// Simulator mode, first run: one demo operator per facility with a random password, printed once in the log
    /// (the file keeps only its hash, so it cannot be printed again; <c>add-operator</c> sets a new one).
    /// </summary>
    private static async Task CreateDemoOperatorsAsync(OperatorStore operators, SampleOptions sample, ILogger logger, CancellationToken cancellationToken)
    {
        var existing = await operators.ListAsync(cancellationToken);
        foreach (var facility in sample.ActiveFacilities)
        {
            var account = existing.FirstOrDefault(a => a.HipId == facility.HipId);
            if (account is not null)
            {
                SampleLog.DemoOperatorExists(logger, facility.HipId, account.UserName);
                continue;
            }

            var userName = "demo-" + facility.HipId.ToLowerInvariant();
            var password = OperatorStore.NewPassword();
            await operators.SetAsync(facility.HipId, userName, password, cancellationToken);
            SampleLog.DemoOperatorCreated(logger, facility.HipId, userName, password);
        }
    }

    /// <summary>The data-protection key folder, readable by the owner only (the keys are not encrypted at rest).</summary>
    private static DirectoryInfo KeysDirectory(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "keys");
        return OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The live feed, the QR images and the fragments the pages' scripts fetch (<c>?handler=...</c>): 401, not a redirect.</summary>
    private static bool IsFeedImageOrFragment(HttpRequest request) =>
        request.Query.ContainsKey("handler")
        || (request.Path.Value is { } path && (path.EndsWith("/events", StringComparison.Ordinal) || path.EndsWith("/qr.png", StringComparison.Ordinal)
            || path.EndsWith("/qr.svg", StringComparison.Ordinal)));

    /// <summary>The folder of the sample project when running from a clone (so <c>dotnet run --project</c> works from anywhere).</summary>
    private static string? ProjectDirectory()
    {
        var directory = typeof(SampleApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SampleProjectDirectory")?.Value;
        return directory is not null && File.Exists(Path.Combine(directory, "appsettings.json")) ? directory : null;
    }

    /// <summary>Holds the simulator once started (the SDK's options read it lazily).</summary>
    internal sealed class SimulatorHolder
    {
        public SimulatorControl? Control { get; set; }
    }
}

/// <summary>A started sample: its app, home URL, data folder and (in simulator mode) the simulator.</summary>
internal sealed class RunningSample(WebApplication app, Uri homeUrl, Uri callbackRoot, string dataDirectory, SimulatorControl? simulator) : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    public Uri HomeUrl { get; } = homeUrl;

    /// <summary>The callback listener's root (the gateway calls <c>{CallbackRoot}abdm/...</c>; <c>/health</c> is here too).</summary>
    public Uri CallbackRoot { get; } = callbackRoot;

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
