using System.Net;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Tests;

public sealed class AbdmProfileShareServiceCollectionExtensionsTests
{
    private const string AuthInit = "/v0.5/users/auth/init";

    [Fact]
    public async Task AddAbdmProfileShare_CalledTwice_DoesNotNestAuthenticationOrRetries()
    {
        var gateway = new FakeGateway();
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(Valid);
        var builder = services.AddAbdmProfileShare(o => o.Resilience.MaxRetryAttempts = 1);
        builder.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway.Handler);
        builder.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway.Handler);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IAbdmGatewayClient>();

        gateway.On(AuthInit, (HttpStatusCode.Unauthorized, null));
        await Assert.ThrowsAsync<AbdmGatewayException>(() => client.InitLinkingAuthAsync(Init()));
        Assert.Equal(2, gateway.CallsTo(AuthInit));
        Assert.Equal(2, gateway.CallsTo("/v0.5/sessions"));

        gateway.On("/v0.5/users/auth/confirm", (HttpStatusCode.ServiceUnavailable, null));
        await Assert.ThrowsAsync<AbdmGatewayException>(() => client.ConfirmDemographicAuthAsync(new DemographicAuthConfirm
        {
            RequestId = Guid.NewGuid(),
            TransactionId = "t",
            Profile = new Model.SharedPatientProfile { HealthId = "test@sbx", Name = "Jane Doe", Gender = Model.Gender.Female, YearOfBirth = 2000 },
        }));
        Assert.Equal(2, gateway.CallsTo("/v0.5/users/auth/confirm"));
    }

    [Fact]
    public void AddAbdmProfileShare_CalledTwice_AppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(Valid);
        services.AddAbdmProfileShare(o => o.Gateway.DefaultConsentManagerId = "abdm");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

        Assert.Equal("test-client-id", options.Gateway.ClientId);
        Assert.Equal("abdm", options.Gateway.DefaultConsentManagerId);
    }

    [Fact]
    public void AddAbdmProfileShare_Defaults_AreReplaceable()
    {
        var services = new ServiceCollection();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddSingleton<TimeProvider>(time);
        services.AddAbdmProfileShare(Valid);
        using var provider = services.BuildServiceProvider();

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.NotNull(provider.GetRequiredService<IGatewaySessionTokenProvider>());
        Assert.NotNull(provider.GetRequiredService<IAbdmGatewayClient>());
    }

    [Fact]
    public void AddAbdmProfileShare_NoArgumentsAndValidAudiencesInConfiguration_ReplacesTheDefaultAudience()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AbdmProfileShare:Callbacks:ValidAudiences:0"] = "test-audience-1",
            ["AbdmProfileShare:Callbacks:ValidAudiences:1"] = "test-audience-2",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddAbdmProfileShare(Valid);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

        Assert.Equal(["test-audience-1", "test-audience-2"], options.Callbacks.ValidAudiences);
    }

    [Fact]
    public void AddAbdmProfileShare_GatewayClientIdsInConfiguration_ReplacesTheDefaultClientId()
    {
        var options = BoundOptions(new Dictionary<string, string?>
        {
            ["AbdmProfileShare:Callbacks:GatewayClientIds:0"] = "test-gateway-client",
        });

        Assert.Equal(["test-gateway-client"], options.Callbacks.GatewayClientIds);
    }

    [Fact]
    public void AddAbdmProfileShare_NoValidAudiencesInConfiguration_KeepsTheDefaultAudience()
    {
        var options = BoundOptions(new Dictionary<string, string?>
        {
            ["AbdmProfileShare:Callbacks:MaxBodyBytes"] = "4096",
        });

        Assert.Equal(["account"], options.Callbacks.ValidAudiences);
        Assert.Equal(4096, options.Callbacks.MaxBodyBytes);
    }

    [Fact]
    public void AddAbdmProfileShare_ConfigurationSectionReloaded_OptionsMonitorSeesTheChange()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AbdmProfileShare:HipIds:0"] = "TEST-HIP-0001",
            ["AbdmProfileShare:Gateway:ClientId"] = "test-client-id",
            ["AbdmProfileShare:Gateway:ClientSecret"] = "test-client-secret-7c1d9e",
            ["AbdmProfileShare:Gateway:DefaultConsentManagerId"] = "sbx",
        }).Build();
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(configuration.GetSection("AbdmProfileShare"));
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<AbdmProfileShareOptions>>();
        Assert.Equal("sbx", monitor.CurrentValue.Gateway.DefaultConsentManagerId);

        configuration["AbdmProfileShare:Gateway:DefaultConsentManagerId"] = "abdm";
        configuration.Reload();

        Assert.Equal("abdm", monitor.CurrentValue.Gateway.DefaultConsentManagerId);
    }

    private static void Valid(AbdmProfileShareOptions options)
    {
        options.HipIds.Add(GatewayHarness.HipId);
        options.Gateway.BaseUrl = new Uri(FakeGateway.BaseUrl);
        options.Gateway.ClientId = GatewayHarness.ClientId;
        options.Gateway.ClientSecret = GatewayHarness.ClientSecret;
        options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
    }

    private static LinkingAuthInit Init() => new() { RequestId = Guid.NewGuid(), HealthId = "test@sbx", HipId = GatewayHarness.HipId };

    /// <summary>The options bound from the <c>AbdmProfileShare</c> section of <paramref name="values"/>, made valid.</summary>
    private static AbdmProfileShareOptions BoundOptions(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(configuration.GetSection("AbdmProfileShare"));
        services.Configure<AbdmProfileShareOptions>(Valid);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;
    }
}
