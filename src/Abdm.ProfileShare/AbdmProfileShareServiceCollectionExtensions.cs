using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace Abdm.ProfileShare;

/// <summary>Registers Abdm.ProfileShare in a service collection.</summary>
/// <remarks>
/// Every overload also registers ASP.NET Core Data Protection (<c>AddDataProtection()</c>): stored linking tokens are
/// encrypted with the host's key ring. Configure where the keys are kept (<c>PersistKeysToFileSystem</c>,
/// <c>PersistKeysToStackExchangeRedis</c>, <c>PersistKeysToDbContext</c>, protected with <c>ProtectKeysWith*</c>); several
/// instances sharing a store must share the key ring and set the same <c>SetApplicationName</c>. Tokens encrypted with
/// a lost key ring are treated as absent (logged as an error).
/// </remarks>
public static class AbdmProfileShareServiceCollectionExtensions
{
    /// <summary>
    /// Registers Abdm.ProfileShare bound to the <c>AbdmProfileShare</c> configuration section (when an
    /// <see cref="IConfiguration"/> is registered).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder for further set-up.</returns>
    public static AbdmProfileShareBuilder AddAbdmProfileShare(this IServiceCollection services) =>
        services.AddAbdmProfileShareCore(bindDefaultSection: true);

    /// <summary>Registers Abdm.ProfileShare bound to <paramref name="configuration"/> (usually <c>Configuration.GetSection("AbdmProfileShare")</c>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section.</param>
    /// <returns>A builder for further set-up.</returns>
    public static AbdmProfileShareBuilder AddAbdmProfileShare(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddAbdmProfileShareCore(bindDefaultSection: false);
        services.AddOptions<AbdmProfileShareOptions>().Configure(options => Bind(configuration, options));
        services.AddSingleton<IOptionsChangeTokenSource<AbdmProfileShareOptions>>(
            new ConfigurationChangeTokenSource<AbdmProfileShareOptions>(Options.DefaultName, configuration));
        return builder;
    }

    /// <summary>Registers Abdm.ProfileShare configured in code (after the <c>AbdmProfileShare</c> section, when there is one).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>A builder for further set-up.</returns>
    public static AbdmProfileShareBuilder AddAbdmProfileShare(this IServiceCollection services, Action<AbdmProfileShareOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddAbdmProfileShareCore(bindDefaultSection: true);
        services.Configure(configure);
        return builder;
    }

    private static AbdmProfileShareBuilder AddAbdmProfileShareCore(this IServiceCollection services, bool bindDefaultSection)
    {
        ArgumentNullException.ThrowIfNull(services);

        var alreadyAdded = services.Any(d => d.ServiceType == typeof(AbdmProfileShareMarker));
        var optionsBuilder = services.AddOptions<AbdmProfileShareOptions>();
        if (bindDefaultSection && !alreadyAdded)
        {
            optionsBuilder.Configure<IServiceProvider>((options, provider) =>
            {
                if (provider.GetService<IConfiguration>() is { } configuration)
                {
                    Bind(configuration.GetSection(AbdmProfileShareOptions.SectionName), options);
                }
            });
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AbdmProfileShareOptions>, AbdmProfileShareOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AbdmProfileShareOptions>, AbdmProfileShareDeploymentValidator>());
        services.TryAddSingleton<AbdmProfileShareMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        // Telemetry: a meter per service provider (IMeterFactory) and the gateway's outage tracker.
        services.AddMetrics();
        services.TryAddSingleton<AbdmMetrics>();
        services.TryAddSingleton<GatewayOutageTracker>();

        // Gateway session tokens: a singleton that takes IHttpClientFactory (never a typed client).
        services.TryAddSingleton<IGatewaySessionTokenProvider, GatewaySessionTokenProvider>();
        services.TryAddTransient<GatewayAuthenticationHandler>();
        services.TryAddTransient<GatewayCertsHandler>();

        // The session-token request and the signing-keys fetch belong to no caller: they end with the host.
        services.TryAddSingleton<BackgroundCalls>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BackgroundCalls>(sp => sp.GetRequiredService<BackgroundCalls>()));
        services.TryAddTransient<BackgroundCallHandler>();

        if (alreadyAdded)
        {
            // A second call (a library and the app, or the section overload then the code overload) adds options
            // only: a second authentication handler and resilience pipeline would nest, multiplying retries.
            return new AbdmProfileShareBuilder(services, services.AddHttpClient(GatewayEndpoints.GatewayClientName), services.AddHttpClient(GatewayEndpoints.SessionsClientName));
        }

        var sessions = services.AddHttpClient(GatewayEndpoints.SessionsClientName);
        sessions.AddHttpMessageHandler<BackgroundCallHandler>();
        ConfigureHttpClient(sessions, "abdm-sessions");

        var certs = services.AddHttpClient(GatewayEndpoints.CertsClientName);
        certs.AddHttpMessageHandler<BackgroundCallHandler>();
        certs.AddHttpMessageHandler<GatewayCertsHandler>();
        ConfigureHttpClient(certs, "abdm-certs");

        var gateway = services.AddHttpClient<IAbdmGatewayClient, AbdmGatewayClient>(GatewayEndpoints.GatewayClientName);
        gateway.AddHttpMessageHandler<GatewayAuthenticationHandler>();
        ConfigureHttpClient(gateway, "abdm-gateway");

        services.AddAbdmProfileShareWorkflow();

        return new AbdmProfileShareBuilder(services, gateway, sessions);
    }

    /// <summary>
    /// Binds a configuration section. A list that has a default (<c>Callbacks:ValidAudiences</c> = <c>account</c>,
    /// <c>Callbacks:GatewayClientIds</c> = <c>gateway</c>, <c>Linking:BlockedErrorCodes</c> = <c>ABDM-1027</c>) is replaced, not appended to, when the section sets it: the binder adds
    /// configured items to an existing list, so configuring one audience would otherwise still accept <c>account</c>. Enum
    /// values are checked first, so a typo names its key and the valid values (see <see cref="ConfigurationEnumValues"/>).
    /// </summary>
    private static void Bind(IConfiguration section, AbdmProfileShareOptions options)
    {
        section = ConfigurationEnumValues.Normalize(section);
        if (options.Callbacks is { } callbacks)
        {
            ClearIfConfigured(section, "Callbacks:ValidAudiences", callbacks.ValidAudiences);
            ClearIfConfigured(section, "Callbacks:GatewayClientIds", callbacks.GatewayClientIds);
        }

        if (options.Linking is { } linking)
        {
            ClearIfConfigured(section, "Linking:BlockedErrorCodes", linking.BlockedErrorCodes);
        }

        section.Bind(options);
    }

    /// <summary>Empties a list with a default when the section sets it, so the configured items replace the default.</summary>
    private static void ClearIfConfigured(IConfiguration section, string key, IList<string> list)
    {
        if (section.GetSection(key).GetChildren().Any())
        {
            list.Clear();
        }
    }

    private static void ConfigureHttpClient(IHttpClientBuilder builder, string pipelineName)
    {
        // IHttpClientFactory's default logging puts every request header into the log state at Trace level: the
        // formatted text shows "Authorization: *", but the structured values (what OpenTelemetry, Serilog and
        // other structured sinks export) hold the raw "Bearer <session token>". Gateway calls are logged by this
        // library instead (Log: request ids, status codes, durations) and by the resilience pipeline's telemetry.
        // An app that wants the factory's logs back can call AddDefaultLogger() on the builder.
        builder.RemoveAllLoggers();

        builder.ConfigureHttpClient((provider, client) =>
        {
            var resilience = provider.GetRequiredService<IOptionsMonitor<AbdmProfileShareOptions>>().CurrentValue.Resilience;
            client.Timeout = resilience.TotalTimeout + TimeSpan.FromSeconds(5);
        });

        // Retries are safe: every call carries a requestId fixed for its lifetime, so a retried call is the same
        // message, and the workflow ignores a duplicated callback. Only transient failures are retried.
        builder.AddResilienceHandler(pipelineName, static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<AbdmProfileShareOptions>>().CurrentValue.Resilience;

            // Quiet by default: Polly logs every execution attempt at Information (a line per gateway call) and every
            // retry at Warning (a line per attempt of an outage). This library reports gateway outages itself, once
            // when one starts and once when it ends (events 1100/1101), and each call's outcome (10xx), so those two
            // events go to Debug for these pipelines only; circuit-breaker and timeout events keep their severity. The
            // app's telemetry options (logger factory, enrichers, listeners) are kept: only the severity is changed.
            var telemetry = new TelemetryOptions(context.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value);
            var severity = telemetry.SeverityProvider;
            telemetry.SeverityProvider = args => args.Event.EventName is "ExecutionAttempt" or "OnRetry"
                ? ResilienceEventSeverity.Debug
                : severity?.Invoke(args) ?? args.Event.Severity;
            pipeline.ConfigureTelemetry(telemetry);

            pipeline.AddTimeout(options.TotalTimeout);
            if (options.MaxRetryAttempts > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    // A 429 ("too many requests", ABDM-1022) is not retried within the call: the outbox's backoff (and, for a
                    // token request, the request window) decides when to ask again, so the gateway is never hammered.
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Result?.StatusCode != System.Net.HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                    MaxRetryAttempts = options.MaxRetryAttempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                    MaxDelay = options.TotalTimeout,
                });
            }

            pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = options.CircuitBreakerFailureRatio,
                MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                SamplingDuration = options.CircuitBreakerSamplingDuration,
                BreakDuration = options.CircuitBreakerBreakDuration,
            });
            pipeline.AddTimeout(options.AttemptTimeout);
        });
    }

    /// <summary>Marks that AddAbdmProfileShare was called (a second call adds options only).</summary>
    internal sealed class AbdmProfileShareMarker;
}
