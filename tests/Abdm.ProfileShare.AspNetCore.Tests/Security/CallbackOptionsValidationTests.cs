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
    [InlineData("GatewayClientIds", "AbdmProfileShare:Callbacks:GatewayClientIds")]
    [InlineData("GatewayClientIdsBlankOnly", "AbdmProfileShare:Callbacks:GatewayClientIds")]
    [InlineData("GatewayClientIdsEntry", "AbdmProfileShare:Callbacks:GatewayClientIds:1")]
    [InlineData("LateDeliveryGrace", "AbdmProfileShare:Callbacks:LateDeliveryGrace")]
    [InlineData("LateDeliveryGraceTooLong", "AbdmProfileShare:Callbacks:LateDeliveryGrace")]
    [InlineData("MaxTokenLifetime", "AbdmProfileShare:Callbacks:MaxTokenLifetime")]
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
            case "GatewayClientIds": c.GatewayClientIds.Clear(); break;
            case "GatewayClientIdsBlankOnly": c.GatewayClientIds.Clear(); c.GatewayClientIds.Add(" "); break;
            case "GatewayClientIdsEntry": c.GatewayClientIds.Add(""); break;
            case "LateDeliveryGrace": c.LateDeliveryGrace = TimeSpan.FromMinutes(-1); break;
            case "LateDeliveryGraceTooLong": c.LateDeliveryGrace = TimeSpan.FromHours(2); break;
            case "MaxTokenLifetime": c.MaxTokenLifetime = TimeSpan.FromSeconds(30); break;
        }

        var result = new AbdmProfileShareOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(key + " ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_CallbackTrust_GatewaySenderAudienceOnEveryVersionLateGraceAndLifetime()
    {
        var c = new CallbackOptions();

        Assert.Equal(["gateway"], c.GatewayClientIds);
        Assert.Null(c.ValidateAudience); // unset = checked on every wire version
        Assert.Equal(TimeSpan.FromMinutes(20), c.LateDeliveryGrace);
        Assert.Equal(TimeSpan.FromHours(1), c.MaxTokenLifetime);
    }

    [Fact]
    public void Validate_LateDeliveryGraceZero_Succeeds()
    {
        var options = Valid();
        options.Callbacks.LateDeliveryGrace = TimeSpan.Zero;

        Assert.True(new AbdmProfileShareOptionsValidator().Validate(null, options).Succeeded);
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
