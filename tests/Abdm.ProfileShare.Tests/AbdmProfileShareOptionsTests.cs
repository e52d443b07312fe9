using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Tests;

/// <summary>
/// Options as an app meets them: built with <c>AddAbdmProfileShare</c>, bound from configuration, and validated when
/// first used or at start, with every problem named by its configuration key.
/// </summary>
public sealed class AbdmProfileShareOptionsTests
{
    private static readonly Dictionary<string, Action<AbdmProfileShareOptions>> Breakers = new()
    {
        ["AbdmProfileShare:HipIds"] = o => o.HipIds.Clear(),
        ["AbdmProfileShare:HipIds:1"] = o => o.HipIds.Add("has space"),
        ["AbdmProfileShare:Gateway:ClientId"] = o => o.Gateway.ClientId = " ",
        ["AbdmProfileShare:Gateway:ClientSecret"] = o => o.Gateway.ClientSecret = "",
        ["AbdmProfileShare:Gateway:BaseUrl"] = o => o.Gateway.BaseUrl = new Uri("/gateway", UriKind.Relative),
        ["AbdmProfileShare:Gateway:DefaultConsentManagerId"] = o => o.Gateway.DefaultConsentManagerId = "",
        ["AbdmProfileShare:Gateway:SessionRefreshMargin"] = o => o.Gateway.SessionRefreshMargin = TimeSpan.FromSeconds(-1),
        ["AbdmProfileShare:Gateway"] = o => o.Gateway = null!,
        ["AbdmProfileShare:Resilience:TotalTimeout"] = o => o.Resilience.TotalTimeout = TimeSpan.FromSeconds(5),
        ["AbdmProfileShare:Resilience:AttemptTimeout"] = o => o.Resilience.AttemptTimeout = TimeSpan.Zero,
        ["AbdmProfileShare:Resilience:MaxRetryAttempts"] = o => o.Resilience.MaxRetryAttempts = -1,
        ["AbdmProfileShare:Resilience:RetryBaseDelay"] = o => o.Resilience.RetryBaseDelay = TimeSpan.Zero,
        ["AbdmProfileShare:Resilience:CircuitBreakerFailureRatio"] = o => o.Resilience.CircuitBreakerFailureRatio = 0,
        ["AbdmProfileShare:Resilience:CircuitBreakerMinimumThroughput"] = o => o.Resilience.CircuitBreakerMinimumThroughput = 1,
        ["AbdmProfileShare:Resilience:CircuitBreakerSamplingDuration"] = o => o.Resilience.CircuitBreakerSamplingDuration = TimeSpan.FromMilliseconds(10),
        ["AbdmProfileShare:Resilience:CircuitBreakerBreakDuration"] = o => o.Resilience.CircuitBreakerBreakDuration = TimeSpan.Zero,
        ["AbdmProfileShare:Queue:TimeZone"] = o => o.Queue.TimeZone = "Mars/Olympus_Mons",
        ["AbdmProfileShare:Queue:EntryLifetime"] = o => o.Queue.EntryLifetime = TimeSpan.FromMinutes(10),
        ["AbdmProfileShare:Queue:DefaultCounterCode"] = o => o.Queue.DefaultCounterCode = "",
        ["AbdmProfileShare:Queue:Retention"] = o => o.Queue.Retention = TimeSpan.FromHours(-1),
        ["AbdmProfileShare:Linking:Start"] = o => o.Linking.Start = (LinkingStart)42,
        ["AbdmProfileShare:Linking:CallbackTimeout"] = o => o.Linking.CallbackTimeout = TimeSpan.Zero,
        ["AbdmProfileShare:Outbox:MaxConcurrency"] = o => o.Outbox.MaxConcurrency = 0,
        ["AbdmProfileShare:Outbox:RetryMaxDelay"] = o => o.Outbox.RetryMaxDelay = TimeSpan.FromMilliseconds(1),
        ["AbdmProfileShare:Outbox:LeaseDuration"] = o => o.Outbox.LeaseDuration = TimeSpan.Zero,
        ["AbdmProfileShare:Callbacks:CertsUrl"] = o => o.Callbacks.CertsUrl = new Uri("file:///etc/keys.json"),
        ["AbdmProfileShare:Callbacks:MaxBodyBytes"] = o => o.Callbacks.MaxBodyBytes = 32 * 1024 * 1024,
        ["AbdmProfileShare:Callbacks:MaxStringLength"] = o => o.Callbacks.MaxStringLength = -1,
        ["AbdmProfileShare:Callbacks:MaxJsonDepth"] = o => o.Callbacks.MaxJsonDepth = 0,
        ["AbdmProfileShare:Callbacks:ClockSkew"] = o => o.Callbacks.ClockSkew = TimeSpan.FromMinutes(-1),
        ["AbdmProfileShare:Callbacks:KeysRefreshInterval"] = o => o.Callbacks.KeysRefreshInterval = TimeSpan.FromSeconds(30),
    };

    public static TheoryData<string> BrokenKeys => [.. Breakers.Keys];

    [Fact]
    public void Value_ValidOptions_Resolves()
    {
        using var provider = Build(Valid);

        var options = provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

        Assert.Equal(["TEST-HIP-0001"], options.HipIds);
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [MemberData(nameof(BrokenKeys))]
    public void Value_OneInvalidSetting_ThrowsNamingItsKey(string key)
    {
        using var provider = Build(o =>
        {
            Valid(o);
            Breakers[key](o);
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        var failure = Assert.Single(error.Failures);
        Assert.Contains(key + " ", failure + " ", StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BrokenKeys))]
    public void StartupValidator_OneInvalidSetting_ThrowsNamingItsKey(string key)
    {
        using var provider = Build(o =>
        {
            Valid(o);
            Breakers[key](o);
        });

        // What a host does on start (ValidateOnStart).
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_NothingConfigured_ReportsEveryMissingKeyAtOnce()
    {
        using var provider = Build(_ => { });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains("AbdmProfileShare:HipIds", error.Message, StringComparison.Ordinal);
        Assert.Contains("AbdmProfileShare:Gateway:ClientId", error.Message, StringComparison.Ordinal);
        Assert.Contains("AbdmProfileShare:Gateway:ClientSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_SeveralProblems_ReportsThemAll()
    {
        using var provider = Build(o =>
        {
            Valid(o);
            o.Gateway.ClientSecret = "";
            o.Queue.TimeZone = "Nowhere/Nothing";
            o.Queue.EntryLifetime = TimeSpan.FromMinutes(1);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(1);
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.Equal(4, error.Failures.Count());
        foreach (var key in new[] { "Gateway:ClientSecret", "Queue:TimeZone", "Queue:EntryLifetime", "Resilience:TotalTimeout" })
        {
            Assert.Contains("AbdmProfileShare:" + key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Value_InvalidSecret_MessageDoesNotRepeatTheSecret()
    {
        using var provider = Build(o =>
        {
            Valid(o);
            o.Gateway.ClientId = "";
            o.Gateway.ClientSecret = "test-client-secret-7c1d9e";
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.DoesNotContain("test-client-secret-7c1d9e", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAbdmProfileShare_NoArgumentsWithRegisteredConfiguration_BindsTheAbdmProfileShareSection()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration());
        services.AddAbdmProfileShare();
        using var provider = services.BuildServiceProvider();

        AssertBound(provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);
    }

    [Fact]
    public void AddAbdmProfileShare_ConfigurationSection_BindsThatSection()
    {
        var section = Configuration().GetSection("AbdmProfileShare");
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(section);
        using var provider = services.BuildServiceProvider();

        AssertBound(provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);
    }

    [Fact]
    public void AddAbdmProfileShare_ConfigureDelegate_AppliesAfterTheRegisteredSection()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration());
        services.AddAbdmProfileShare(o => o.Gateway.DefaultConsentManagerId = "from-code");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

        AssertBound(options, consentManagerId: "from-code");
    }

    [Fact]
    public void AddAbdmProfileShare_SectionMissingTheSecret_FailsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AbdmProfileShare:HipIds:0"] = "TEST-HIP-0001",
            ["AbdmProfileShare:Gateway:ClientId"] = "test-client-id",
        }).Build();
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(configuration.GetSection("AbdmProfileShare"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("AbdmProfileShare:Gateway:ClientSecret", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://gw.test/gateway")]
    [InlineData("/gateway")]
    public void AddAbdmProfileShare_ConfiguredBaseUrlNotHttp_FailsNamingTheKey(string baseUrl)
    {
        var values = ConfigurationValues();
        values["AbdmProfileShare:Gateway:BaseUrl"] = baseUrl;
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("AbdmProfileShare"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.Contains("AbdmProfileShare:Gateway:BaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAbdmProfileShare_ConfiguredValidAudiences_ReplaceTheDefault()
    {
        var values = ConfigurationValues();
        values["AbdmProfileShare:Callbacks:ValidAudiences:0"] = "test-audience";
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("AbdmProfileShare"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

        Assert.Equal(["test-audience"], options.Callbacks.ValidAudiences);
    }

    private static void Valid(AbdmProfileShareOptions options)
    {
        options.HipIds.Add("TEST-HIP-0001");
        options.Gateway.ClientId = "test-client-id";
        options.Gateway.ClientSecret = "test-client-secret-7c1d9e";
    }

    private static ServiceProvider Build(Action<AbdmProfileShareOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(configure);
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> ConfigurationValues() => new()
    {
        ["AbdmProfileShare:HipIds:0"] = "TEST-HIP-0001",
        ["AbdmProfileShare:HipIds:1"] = "TEST-HIP-0002",
        ["AbdmProfileShare:Gateway:BaseUrl"] = "https://gw.test/gateway",
        ["AbdmProfileShare:Gateway:ClientId"] = "test-client-id",
        ["AbdmProfileShare:Gateway:ClientSecret"] = "test-client-secret-7c1d9e",
        ["AbdmProfileShare:Gateway:DefaultConsentManagerId"] = "abdm",
        ["AbdmProfileShare:Gateway:SessionRefreshMargin"] = "00:02:00",
        ["AbdmProfileShare:Resilience:AttemptTimeout"] = "00:00:05",
        ["AbdmProfileShare:Resilience:TotalTimeout"] = "00:00:20",
        ["AbdmProfileShare:Resilience:MaxRetryAttempts"] = "2",
        ["AbdmProfileShare:Resilience:CircuitBreakerFailureRatio"] = "0.25",
        ["AbdmProfileShare:Queue:TimeZone"] = "UTC",
        ["AbdmProfileShare:Queue:RescanWindow"] = "00:20:00",
        ["AbdmProfileShare:Linking:Start"] = "OnClaim",
        ["AbdmProfileShare:Outbox:MaxConcurrency"] = "4",
        ["AbdmProfileShare:Callbacks:MaxBodyBytes"] = "32768",
        ["AbdmProfileShare:Callbacks:CertsUrl"] = "https://gw.test/gateway/v0.5/certs",
        ["Unrelated:HipIds:0"] = "NOT-THIS-ONE",
    };

    private static IConfigurationRoot Configuration() => new ConfigurationBuilder().AddInMemoryCollection(ConfigurationValues()).Build();

    private static void AssertBound(AbdmProfileShareOptions options, string consentManagerId = "abdm")
    {
        Assert.Equal(["TEST-HIP-0001", "TEST-HIP-0002"], options.HipIds);
        Assert.Equal(new Uri("https://gw.test/gateway"), options.Gateway.BaseUrl);
        Assert.Equal("test-client-id", options.Gateway.ClientId);
        Assert.Equal("test-client-secret-7c1d9e", options.Gateway.ClientSecret);
        Assert.Equal(consentManagerId, options.Gateway.DefaultConsentManagerId);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Gateway.SessionRefreshMargin);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Resilience.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Resilience.TotalTimeout);
        Assert.Equal(2, options.Resilience.MaxRetryAttempts);
        Assert.Equal(0.25, options.Resilience.CircuitBreakerFailureRatio);
        Assert.Equal("UTC", options.Queue.TimeZone);
        Assert.Equal(TimeSpan.FromMinutes(20), options.Queue.RescanWindow);
        Assert.Equal(LinkingStart.OnClaim, options.Linking.Start);
        Assert.Equal(4, options.Outbox.MaxConcurrency);
        Assert.Equal(32768, options.Callbacks.MaxBodyBytes);
        Assert.Equal(new Uri("https://gw.test/gateway/v0.5/certs"), options.Callbacks.CertsUrl);
    }
}
