using System.Text;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Gateway.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>
/// The services built the real way (<c>AddAbdmProfileShare</c>) with the gateway clients' primary handler replaced by
/// a scripted gateway, every log captured at Trace level, and (by default) a <see cref="FakeTimeProvider"/>. On
/// dispose it asserts that no captured log contains the client secret, a session token, or any registered patient
/// datum. <see cref="GatewayHarness"/> (v0.5) and <see cref="V3GatewayHarness"/> (v3) differ only in their gateway.
/// </summary>
internal abstract class GatewayHarnessBase : IAsyncDisposable
{
    public const string ClientId = "test-client-id";
    public const string ClientSecret = "test-client-secret-7c1d9e";
    public const string HipId = "TEST-HIP-0001";

    private readonly List<string> _sensitive = [ClientSecret, "test-access-token", "test-refresh-token"];

    protected GatewayHarnessBase(FakeTimeProvider? time, ServiceProvider services)
    {
        Time = time;
        Services = services;
        Logs = services.GetFakeLogCollector();
    }

    /// <summary>The fake clock, or <see langword="null"/> when the harness runs on the system clock.</summary>
    public FakeTimeProvider? Time { get; }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs { get; }

    public IAbdmGatewayClient Client => Services.GetRequiredService<IAbdmGatewayClient>();

    public IGatewaySessionTokenProvider Tokens => Services.GetRequiredService<IGatewaySessionTokenProvider>();

    public AbdmProfileShareOptions Options => Services.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

    /// <summary>Adds values that must never appear in a log (patient data used by a test).</summary>
    public void NeverLog(params string[] values) => _sensitive.AddRange(values);

    /// <summary>Every captured log record rendered with its message, state, scopes and exception.</summary>
    public IReadOnlyList<string> RenderLogs() => [.. Logs.GetSnapshot().Select(Render)];

    public void AssertNothingSensitiveLogged()
    {
        foreach (var line in RenderLogs())
        {
            foreach (var value in _sensitive)
            {
                Assert.False(line.Contains(value, StringComparison.OrdinalIgnoreCase), $"A log record contains a sensitive value ('{value[..Math.Min(12, value.Length)]}…'): {line}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // As a host does when it stops: the calls no caller owns end first (else a disposed resilience pipeline waits
        // for them on the fake clock).
        await Services.GetRequiredService<BackgroundCalls>().StopAsync(CancellationToken.None);
        await Services.DisposeAsync();
        AssertNothingSensitiveLogged();
    }

    /// <summary>
    /// Builds the services: valid options (this HIP, the test credentials, a 1 ms retry delay), then
    /// <paramref name="defaults"/>, then <paramref name="configure"/>; <paramref name="gateway"/> answers the gateway and
    /// sessions clients, and the certs client too when <paramref name="certs"/> is set.
    /// </summary>
    protected static ServiceProvider BuildServices(HttpMessageHandler gateway, FakeTimeProvider? time, Action<AbdmProfileShareOptions> defaults,
        Action<AbdmProfileShareOptions>? configure, bool certs)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        if (time is not null)
        {
            services.AddSingleton<TimeProvider>(time);
        }

        var builder = services.AddAbdmProfileShare(options =>
        {
            options.HipIds.Add(HipId);
            options.Gateway.ClientId = ClientId;
            options.Gateway.ClientSecret = ClientSecret;
            options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            defaults(options);
            configure?.Invoke(options);
        });
        builder.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
        builder.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
        if (certs)
        {
            services.AddHttpClient(GatewayEndpoints.CertsClientName).ConfigurePrimaryHttpMessageHandler(() => gateway);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static string Render(FakeLogRecord record)
    {
        var text = new StringBuilder();
        text.Append(record.Level).Append(' ').Append(record.Category).Append(" [").Append(record.Id.Id).Append("] ").Append(record.Message);
        if (record.StructuredState is { } state)
        {
            foreach (var pair in state)
            {
                text.Append(" | ").Append(pair.Key).Append('=').Append(pair.Value);
            }
        }

        foreach (var scope in record.Scopes)
        {
            text.Append(" | scope ").Append(scope);
        }

        if (record.Exception is { } exception)
        {
            text.Append(" | ").Append(exception);
        }

        return text.ToString();
    }
}
