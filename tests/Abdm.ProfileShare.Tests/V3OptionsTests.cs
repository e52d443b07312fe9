using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Tests;

/// <summary>The v3 options: wire version, base URL form, <c>V3:*</c> and <c>Qr:*</c>, each refusal naming its key.</summary>
public sealed class V3OptionsTests
{
    [Theory]
    [InlineData("https://dev.abdm.gov.in/gateway")]
    [InlineData("https://dev.abdm.gov.in/gateway/")]
    [InlineData("https://gw.test/GATEWAY")]
    public void Value_V3WithTheV05GatewayBaseUrl_IsRefusedNamingBaseUrl(string baseUrl)
    {
        using var provider = Build(o =>
        {
            o.WireVersion = WireVersion.V3;
            o.Gateway.BaseUrl = new Uri(baseUrl);
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        var failure = Assert.Single(error.Failures);
        Assert.Contains("AbdmProfileShare:Gateway:BaseUrl", failure, StringComparison.Ordinal);
        Assert.Contains("/gateway", failure, StringComparison.Ordinal);
        Assert.Contains("V3", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WireVersion.V3, "https://dev.abdm.gov.in")]
    [InlineData(WireVersion.V3, "https://apis.abdm.gov.in/")]
    [InlineData(WireVersion.V3, null)]
    [InlineData(WireVersion.V05, "https://dev.abdm.gov.in/gateway")]
    [InlineData(WireVersion.V10, "https://dev.abdm.gov.in/gateway")]
    public void Value_BaseUrlOfItsWireVersion_Resolves(WireVersion version, string? baseUrl)
    {
        using var provider = Build(o =>
        {
            o.WireVersion = version;
            o.Gateway.BaseUrl = baseUrl is null ? null : new Uri(baseUrl);
        });

        Assert.Equal(version, provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value.WireVersion);
    }

    [Theory]
    [InlineData("http://phrsbx.abdm.gov.in/share-profile")]
    [InlineData("https://phrsbx.abdm.gov.in/share-profile?hip-id=TEST-HIP-0001")]
    [InlineData("/share-profile")]
    public void Value_QrShareProfileUrlNotHttpsOrWithAQuery_IsRefusedNamingIt(string url)
    {
        using var provider = Build(o => o.Qr.ShareProfileUrl = new Uri(url, UriKind.RelativeOrAbsolute));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.Contains("AbdmProfileShare:Qr:ShareProfileUrl", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Value_EmptyRejectionErrorCode_IsRefusedNamingIt(string code)
    {
        using var provider = Build(o => o.V3.RejectionErrorCode = code);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.Contains("AbdmProfileShare:V3:RejectionErrorCode", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Value_UndefinedExpiryUnit_IsRefusedNamingIt()
    {
        using var provider = Build(o => o.V3.ExpiryUnit = (TokenExpiryUnit)7);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value);

        Assert.Contains("AbdmProfileShare:V3:ExpiryUnit", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Value_Defaults_AreSecondsAbdm9999AndTheSandboxPhrPage()
    {
        var options = new AbdmProfileShareOptions();

        Assert.Equal(WireVersion.V05, options.WireVersion);
        Assert.Equal(TokenExpiryUnit.Seconds, options.V3.ExpiryUnit);
        Assert.Equal("ABDM-9999", options.V3.RejectionErrorCode);
        Assert.Equal(new Uri("https://phrsbx.abdm.gov.in/share-profile"), options.Qr.ShareProfileUrl);
    }

    [Fact]
    public void Value_V3FromConfiguration_BindsEveryV3Key()
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AbdmProfileShare:HipIds:0"] = "TEST-HIP-0001",
            ["AbdmProfileShare:WireVersion"] = "V3",
            ["AbdmProfileShare:Gateway:BaseUrl"] = "https://apis.abdm.gov.in",
            ["AbdmProfileShare:Gateway:ClientId"] = "test-client-id",
            ["AbdmProfileShare:Gateway:ClientSecret"] = "test-client-secret-7c1d9e",
            ["AbdmProfileShare:V3:ExpiryUnit"] = "Minutes",
            ["AbdmProfileShare:V3:RejectionErrorCode"] = "ABDM-1102",
            ["AbdmProfileShare:Qr:ShareProfileUrl"] = "https://phr.test/share-profile",
        }).Build().GetSection("AbdmProfileShare"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value;

        Assert.Equal(WireVersion.V3, options.WireVersion);
        Assert.Equal(TokenExpiryUnit.Minutes, options.V3.ExpiryUnit);
        Assert.Equal("ABDM-1102", options.V3.RejectionErrorCode);
        Assert.Equal(new Uri("https://phr.test/share-profile"), options.Qr.ShareProfileUrl);
        Assert.Equal(new Uri("https://apis.abdm.gov.in"), options.GetGatewayBaseUrl());
    }

    private static ServiceProvider Build(Action<AbdmProfileShareOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(o =>
        {
            o.HipIds.Add("TEST-HIP-0001");
            o.Gateway.BaseUrl = new Uri("https://gw.test");
            o.Gateway.ClientId = "test-client-id";
            o.Gateway.ClientSecret = "test-client-secret-7c1d9e";
            configure(o);
        });
        return services.BuildServiceProvider();
    }
}
