using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Tests;

/// <summary>
/// The start-up rules that depend on where the host runs: the development bypass of callback token validation only in
/// Development against a gateway on this machine, and https to the gateway and its JWKS outside Development.
/// </summary>
public sealed class DeploymentRulesTests
{
    private const string DisableKey = "AbdmProfileShare:Callbacks:DisableTokenValidation";

    [Theory]
    [InlineData("Staging")]
    [InlineData("Production")]
    [InlineData("prod")]
    [InlineData("")]
    [InlineData(null)]
    public void StartupValidator_DisableTokenValidationOutsideDevelopment_RefusedNamingTheKey(string? environment)
    {
        using var provider = Build(environment, o =>
        {
            o.Gateway.BaseUrl = new Uri("http://127.0.0.1:5099/gateway");
            o.Callbacks.DisableTokenValidation = true;
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith(DisableKey + " = true is refused", failure, StringComparison.Ordinal);
        Assert.Contains(environment is null ? "unknown" : environment.Length == 0 ? "no name" : $"'{environment}'", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://dev.abdm.gov.in/gateway")]
    [InlineData("http://gateway.example.org/gateway")]
    [InlineData(null)] // the default: the ABDM sandbox
    public void StartupValidator_DisableTokenValidationInDevelopmentWithRemoteGateway_RefusedNamingTheKey(string? baseUrl)
    {
        using var provider = Build("Development", o =>
        {
            o.Gateway.BaseUrl = baseUrl is null ? null : new Uri(baseUrl);
            o.Callbacks.DisableTokenValidation = true;
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith(DisableKey + " = true is refused", failure, StringComparison.Ordinal);
        Assert.Contains("not a loopback address", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5099/gateway")]
    [InlineData("http://localhost:5099")]
    [InlineData("http://[::1]:5099")]
    [InlineData("http://127.8.9.10/gateway")]
    public void StartupValidator_DisableTokenValidationInDevelopmentWithLoopbackGateway_Allowed(string baseUrl)
    {
        using var provider = Build("Development", o =>
        {
            o.Gateway.BaseUrl = new Uri(baseUrl);
            o.Callbacks.DisableTokenValidation = true;
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.True(provider.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value.Callbacks.DisableTokenValidation);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData(null)]
    public void StartupValidator_HttpBaseUrlOutsideDevelopment_RefusedNamingTheKey(string? environment)
    {
        using var provider = Build(environment, o => o.Gateway.BaseUrl = new Uri("http://dev.abdm.gov.in/gateway"));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith("AbdmProfileShare:Gateway:BaseUrl must be an https URL", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupValidator_HttpCertsUrlInProduction_RefusedNamingTheKey()
    {
        using var provider = Build("Production", o => o.Callbacks.CertsUrl = new Uri("http://dev.abdm.gov.in/gateway/v0.5/certs"));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith("AbdmProfileShare:Callbacks:CertsUrl must be an https URL", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", "http://127.0.0.1:5099/gateway")] // the simulator on this machine
    [InlineData("Production", "https://dev.abdm.gov.in/gateway")]
    [InlineData("Development", "http://gateway.example.org/gateway")] // a developer's own stand-in
    public void StartupValidator_AllowedTransport_Passes(string environment, string url)
    {
        using var provider = Build(environment, o =>
        {
            o.Gateway.BaseUrl = new Uri(url);
            o.Callbacks.CertsUrl = new Uri(new Uri(url), "certs");
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    private static ServiceProvider Build(string? environment, Action<AbdmProfileShareOptions> configure)
    {
        var services = new ServiceCollection();
        if (environment is not null)
        {
            services.AddSingleton<IHostEnvironment>(new TestEnvironment(environment));
        }

        services.AddAbdmProfileShare(o =>
        {
            o.HipIds.Add("TEST-HIP-0001");
            o.Gateway.ClientId = "test-client-id";
            o.Gateway.ClientSecret = "test-client-secret-7c1d9e";
            configure(o);
        });
        return services.BuildServiceProvider();
    }

    private sealed class TestEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "DeploymentRulesTests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
