using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Tests;

/// <summary>Enum-valued keys in configuration: a bad value names its key and the valid values; ABDM's spellings of wire versions are accepted.</summary>
public sealed class EnumConfigurationTests
{
    [Theory]
    [InlineData("WireVersion", "V9", "AbdmProfileShare:WireVersion", "V05, V10, V3")]
    [InlineData("WireVersion", "V1.1", "AbdmProfileShare:WireVersion", "V05, V10, V3")]
    [InlineData("WireVersion", "7", "AbdmProfileShare:WireVersion", "V05, V10, V3")]
    [InlineData("Linking:Start", "Later", "AbdmProfileShare:Linking:Start", "AfterAcknowledgement, OnClaim, Manual")]
    [InlineData("V3:ExpiryUnit", "Hours", "AbdmProfileShare:V3:ExpiryUnit", "Seconds, Minutes")]
    public void Value_InvalidEnumValue_NamesTheKeyAndTheValidValues(string key, string value, string expectedKey, string expectedValues)
    {
        using var provider = Build(new() { [key] = value });

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.Contains($"{expectedKey} is '{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedValues, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed to convert", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_SeveralInvalidEnumValues_NamesEveryKeyAtOnce()
    {
        using var provider = Build(new() { ["WireVersion"] = "V9", ["Linking:Start"] = "Later", ["V3:ExpiryUnit"] = "Hours" });

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.Contains("AbdmProfileShare:WireVersion", error.Message, StringComparison.Ordinal);
        Assert.Contains("AbdmProfileShare:Linking:Start", error.Message, StringComparison.Ordinal);
        Assert.Contains("AbdmProfileShare:V3:ExpiryUnit", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("V05", WireVersion.V05)]
    [InlineData("v05", WireVersion.V05)]
    [InlineData("v0.5", WireVersion.V05)]
    [InlineData("V0.5", WireVersion.V05)]
    [InlineData("V10", WireVersion.V10)]
    [InlineData("v1.0", WireVersion.V10)]
    [InlineData(" V1.0 ", WireVersion.V10)]
    [InlineData("v3", WireVersion.V3)]
    [InlineData("V3", WireVersion.V3)]
    public void Value_WireVersionSpelling_Binds(string value, WireVersion expected)
    {
        using var provider = Build(new() { ["WireVersion"] = value, ["Gateway:BaseUrl"] = expected == WireVersion.V3 ? "https://gw.test" : "https://gw.test/gateway" });

        var options = provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

        Assert.Equal(expected, options.WireVersion);
        Assert.Equal("test-client-id", options.Gateway.ClientId); // the rest of the section is still bound
        Assert.Equal(LinkingStart.OnClaim, options.Linking.Start);
    }

    [Fact]
    public void Value_EnumValuesInOtherCase_Bind()
    {
        using var provider = Build(new() { ["Linking:Start"] = "manual", ["V3:ExpiryUnit"] = "minutes" });

        var options = provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

        Assert.Equal(LinkingStart.Manual, options.Linking.Start);
        Assert.Equal(TokenExpiryUnit.Minutes, options.V3.ExpiryUnit);
    }

    [Fact]
    public void Value_WireVersionAliasThroughTheDefaultSection_Binds()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(Settings(new() { ["WireVersion"] = "v1.0" })).Build());
        services.AddAbdmProfileShare();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(WireVersion.V10, provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value.WireVersion);
    }

    private static ServiceProvider Build(Dictionary<string, string?> overrides)
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(new ConfigurationBuilder().AddInMemoryCollection(Settings(overrides)).Build().GetSection("AbdmProfileShare"));
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Settings(Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AbdmProfileShare:HipIds:0"] = "TEST-HIP-0001",
            ["AbdmProfileShare:Gateway:BaseUrl"] = "https://gw.test/gateway",
            ["AbdmProfileShare:Gateway:ClientId"] = "test-client-id",
            ["AbdmProfileShare:Gateway:ClientSecret"] = "test-client-secret-7c1d9e",
            ["AbdmProfileShare:Linking:Start"] = "OnClaim",
        };
        foreach (var (key, value) in overrides)
        {
            settings["AbdmProfileShare:" + key] = value;
        }

        return settings;
    }
}
