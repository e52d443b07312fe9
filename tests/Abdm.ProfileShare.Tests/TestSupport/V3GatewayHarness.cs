using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>
/// The services built the real way (<c>AddAbdmProfileShare</c>) on <see cref="WireVersion.V3"/> with base URL
/// <see cref="V3FakeGateway.Host"/>, the gateway, sessions and certs clients' primary handler replaced by a
/// <see cref="V3FakeGateway"/>, logs captured at Trace level, and (by default) a <see cref="FakeTimeProvider"/>. On
/// dispose it asserts that no captured log contains the client secret, a session token, or a registered datum.
/// </summary>
internal sealed class V3GatewayHarness : IAsyncDisposable
{
    public const string ClientId = "test-client-id";
    public const string ClientSecret = "test-client-secret-7c1d9e";
    public const string HipId = "TEST-HIP-0001";

    /// <summary>The spec's TIMESTAMP example instant, <c>2022-10-06T15:10:00.587Z</c>.</summary>
    public static readonly DateTimeOffset Start = new(2022, 10, 6, 15, 10, 0, 587, TimeSpan.Zero);

    private readonly List<string> _sensitive = [ClientSecret, "test-access-token", "test-refresh-token"];

    private V3GatewayHarness(V3FakeGateway gateway, FakeTimeProvider? time, ServiceProvider services)
    {
        Gateway = gateway;
        Time = time;
        Services = services;
        Logs = services.GetFakeLogCollector();
    }

    public V3FakeGateway Gateway { get; }

    public FakeTimeProvider? Time { get; }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs { get; }

    public IAbdmGatewayClient Client => Services.GetRequiredService<IAbdmGatewayClient>();

    public IGatewaySessionTokenProvider Tokens => Services.GetRequiredService<IGatewaySessionTokenProvider>();

    public AbdmProfileShareOptions Options => Services.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

    /// <summary>The client the callback authentication fetches the JWKS with.</summary>
    public HttpClient CertsHttpClient => Services.GetRequiredService<IHttpClientFactory>().CreateClient(GatewayEndpoints.CertsClientName);

    public static V3GatewayHarness Create(Action<AbdmProfileShareOptions>? configure = null, bool fakeTime = true)
    {
        var gateway = new V3FakeGateway();
        var time = fakeTime ? new FakeTimeProvider(Start) : null;
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        if (time is not null)
        {
            services.AddSingleton<TimeProvider>(time);
        }

        var builder = services.AddAbdmProfileShare(options =>
        {
            options.WireVersion = WireVersion.V3;
            options.HipIds.Add(HipId);
            options.Gateway.BaseUrl = new Uri(V3FakeGateway.Host);
            options.Gateway.ClientId = ClientId;
            options.Gateway.ClientSecret = ClientSecret;
            options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(options);
        });
        builder.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
        builder.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
        services.AddHttpClient(GatewayEndpoints.CertsClientName).ConfigurePrimaryHttpMessageHandler(() => gateway);

        return new V3GatewayHarness(gateway, time, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
    }

    /// <summary>Adds values that must never appear in a log (patient data used by a test).</summary>
    public void NeverLog(params string[] values) => _sensitive.AddRange(values);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        foreach (var record in Logs.GetSnapshot())
        {
            var line = $"{record.Message} {record.Exception} {string.Join(" ", record.StructuredState?.Select(p => p.Value) ?? [])}";
            foreach (var value in _sensitive)
            {
                Assert.False(line.Contains(value, StringComparison.OrdinalIgnoreCase), $"A log record contains a sensitive value ('{value[..Math.Min(12, value.Length)]}…').");
            }
        }
    }
}
