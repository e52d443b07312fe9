using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.Diagnostics;

/// <summary>
/// The services built the real way with the health checks added, a <see cref="FlakyStore"/>, the scripted
/// <see cref="FakeGateway"/>, a <see cref="FakeTimeProvider"/> and every log captured at Trace level.
/// </summary>
internal sealed class ObservabilityServices : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 4, 30, 0, TimeSpan.Zero);

    private ObservabilityServices(ServiceProvider services, FakeTimeProvider time, FlakyStore store, FakeGateway gateway)
    {
        Services = services;
        Time = time;
        Store = store;
        Gateway = gateway;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public FlakyStore Store { get; }

    public FakeGateway Gateway { get; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public static ObservabilityServices Create(
        Action<AbdmProfileShareOptions>? configure = null,
        Action<AbdmProfileShareHealthCheckOptions>? health = null,
        Action<FakeLogCollectorOptions>? logs = null)
    {
        var time = new FakeTimeProvider(Start);
        var store = new FlakyStore();
        var gateway = new FakeGateway();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging(o => logs?.Invoke(o));
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IProfileShareStore>(store);
        var builder = services.AddAbdmProfileShare(options =>
        {
            options.HipIds.Add(GatewayHarness.HipId);
            options.Gateway.BaseUrl = new Uri(FakeGateway.BaseUrl);
            options.Gateway.ClientId = GatewayHarness.ClientId;
            options.Gateway.ClientSecret = GatewayHarness.ClientSecret;
            options.Resilience.MaxRetryAttempts = 0; // the fake clock would hold retry delays
            configure?.Invoke(options);
        });
        builder.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway.Handler);
        builder.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway.Handler);
        builder.AddHealthChecks(health);
        return new ObservabilityServices(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), time, store, gateway);
    }

    public async Task<HealthReportEntry> CheckAsync(string name)
    {
        var report = await Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name);
        return report.Entries[name];
    }

    /// <summary>Accepts a synthetic share straight into the store (which enqueues its on-share item).</summary>
    public Task<ShareIntakeResult> AcceptShareAsync() => Store.AcceptShareAsync(new ShareIntake
    {
        ShareRequestId = Guid.NewGuid(),
        HipId = GatewayHarness.HipId,
        CounterCode = "counter-1",
        Profile = new SharedPatientProfile { HealthId = "synthetic.patient@sbx", Name = "Synthetic Patient", Gender = Gender.Female, YearOfBirth = 1990 },
        WireVersion = WireVersion.V05,
        ReceivedAt = Time.GetUtcNow(),
        ServiceDay = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime),
        RescanWindow = TimeSpan.FromMinutes(30),
        EntryLifetime = TimeSpan.FromHours(4),
        NewEntryId = Guid.CreateVersion7(Time.GetUtcNow()),
        AcknowledgementItemId = Guid.CreateVersion7(Time.GetUtcNow()),
        AcknowledgementRequestId = Guid.NewGuid(),
    });

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
