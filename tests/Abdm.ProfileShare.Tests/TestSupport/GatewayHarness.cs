using System.Text;
using Abdm.ProfileShare.Gateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>
/// The services built the real way (<c>AddAbdmProfileShare</c>) with the gateway and sessions clients' primary
/// handler replaced by a <see cref="FakeGateway"/>, every log captured at Trace level, and (by default) a
/// <see cref="FakeTimeProvider"/>. On dispose it asserts that no captured log contains the client secret, a
/// session token, or any registered patient datum.
/// </summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    public const string ClientId = "test-client-id";
    public const string ClientSecret = "test-client-secret-7c1d9e";
    public const string HipId = "TEST-HIP-0001";

    /// <summary>The seed's on-share timestamp, <c>2022-05-11T04:58:00.037Z</c>.</summary>
    public static readonly DateTimeOffset Start = new(2022, 5, 11, 4, 58, 0, 37, TimeSpan.Zero);

    private readonly List<string> _sensitive = [ClientSecret, "test-access-token", "test-refresh-token"];

    private GatewayHarness(FakeGateway gateway, FakeTimeProvider? time, ServiceProvider services)
    {
        Gateway = gateway;
        Time = time;
        Services = services;
        Logs = services.GetFakeLogCollector();
    }

    public FakeGateway Gateway { get; }

    /// <summary>The fake clock, or <see langword="null"/> when the harness runs on the system clock.</summary>
    public FakeTimeProvider? Time { get; }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs { get; }

    public IAbdmGatewayClient Client => Services.GetRequiredService<IAbdmGatewayClient>();

    public IGatewaySessionTokenProvider Tokens => Services.GetRequiredService<IGatewaySessionTokenProvider>();

    /// <summary>Builds the harness.</summary>
    /// <param name="configure">Further options (after valid defaults and a 1 ms retry delay).</param>
    /// <param name="fakeTime">Register a <see cref="FakeTimeProvider"/> at <see cref="Start"/> as the TimeProvider.</param>
    /// <param name="gateway">The scripted gateway (a fresh one by default).</param>
    public static GatewayHarness Create(Action<AbdmProfileShareOptions>? configure = null, bool fakeTime = true, FakeGateway? gateway = null)
    {
        gateway ??= new FakeGateway();
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
            options.HipIds.Add(HipId);
            options.Gateway.BaseUrl = new Uri(FakeGateway.BaseUrl);
            options.Gateway.ClientId = ClientId;
            options.Gateway.ClientSecret = ClientSecret;
            options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(options);
        });
        builder.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway.Handler);
        builder.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway.Handler);

        return new GatewayHarness(gateway, time, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
    }

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
        await Services.DisposeAsync();
        AssertNothingSensitiveLogged();
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
