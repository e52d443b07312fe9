using Abdm.ProfileShare.Internal;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

public sealed class CallbackOptionsValidationTests
{
    [Fact]
    public void Validate_Defaults_NoCallbackFailures()
    {
        var result = new AbdmProfileShareOptionsValidator().Validate(null, Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("CertsUrl", "AbdmProfileShare:Callbacks:CertsUrl")]
    [InlineData("ValidIssuers", "AbdmProfileShare:Callbacks:ValidIssuers:0")]
    [InlineData("ValidAudiences", "AbdmProfileShare:Callbacks:ValidAudiences:1")]
    [InlineData("ClockSkew", "AbdmProfileShare:Callbacks:ClockSkew")]
    [InlineData("KeysRefreshInterval", "AbdmProfileShare:Callbacks:KeysRefreshInterval")]
    [InlineData("KeysRefetchMinInterval", "AbdmProfileShare:Callbacks:KeysRefetchMinInterval")]
    [InlineData("StaleKeysGracePeriod", "AbdmProfileShare:Callbacks:StaleKeysGracePeriod")]
    [InlineData("MaxBodyBytes", "AbdmProfileShare:Callbacks:MaxBodyBytes")]
    [InlineData("MaxStringLength", "AbdmProfileShare:Callbacks:MaxStringLength")]
    [InlineData("MaxJsonDepth", "AbdmProfileShare:Callbacks:MaxJsonDepth")]
    public void Validate_BadCallbackSetting_FailureNamesKey(string setting, string key)
    {
        var options = Valid();
        var c = options.Callbacks;
        switch (setting)
        {
            case "CertsUrl": c.CertsUrl = new Uri("ftp://gateway.abdm.test/certs"); break;
            case "ValidIssuers": c.ValidIssuers.Add(" "); break;
            case "ValidAudiences": c.ValidAudiences.Add(""); break;
            case "ClockSkew": c.ClockSkew = TimeSpan.FromMinutes(-1); break;
            case "KeysRefreshInterval": c.KeysRefreshInterval = TimeSpan.FromSeconds(5); c.KeysRefetchMinInterval = TimeSpan.FromSeconds(1); break;
            case "KeysRefetchMinInterval": c.KeysRefetchMinInterval = TimeSpan.Zero; break;
            case "StaleKeysGracePeriod": c.StaleKeysGracePeriod = TimeSpan.FromHours(-1); break;
            case "MaxBodyBytes": c.MaxBodyBytes = 100; c.MaxStringLength = 64; break;
            case "MaxStringLength": c.MaxStringLength = 10; break;
            case "MaxJsonDepth": c.MaxJsonDepth = 100; break;
        }

        var result = new AbdmProfileShareOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(key + " ", failure, StringComparison.Ordinal);
    }

    private static AbdmProfileShareOptions Valid()
    {
        var options = new AbdmProfileShareOptions();
        options.HipIds.Add("HIP-SYNTHETIC-1");
        options.Gateway.ClientId = "synthetic-client";
        options.Gateway.ClientSecret = "synthetic-secret-not-real";
        return options;
    }
}
