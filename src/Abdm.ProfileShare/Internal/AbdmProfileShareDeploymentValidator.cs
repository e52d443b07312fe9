using System.Net;
using Abdm.ProfileShare.Gateway.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Internal;

/// <summary>
/// The start-up rules that depend on where the host runs: plain http to the gateway, and callbacks without token
/// validation, are for development on this machine only. Reports every problem at once, each naming its key.
/// </summary>
/// <remarks>
/// Development means the host environment's name is <c>Development</c> (<see cref="HostEnvironmentEnvExtensions.IsDevelopment"/>);
/// any other name (Staging, "prod", empty) and no host environment at all count as deployed. A loopback address is
/// <c>localhost</c> or an address in 127.0.0.0/8 or <c>::1</c>: a gateway there is a simulator on this machine.
/// </remarks>
internal sealed class AbdmProfileShareDeploymentValidator(IServiceProvider services) : IValidateOptions<AbdmProfileShareOptions>
{
    private const string P = AbdmProfileShareOptions.SectionName;

    /// <summary>The configuration key of the development bypass.</summary>
    internal const string DisableKey = P + ":Callbacks:DisableTokenValidation";

    public ValidateOptionsResult Validate(string? name, AbdmProfileShareOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var environment = services.GetService<IHostEnvironment>();
        var failures = new List<string>();
        if (DisableTokenValidationRefusal(options, environment) is { } refusal)
        {
            failures.Add(refusal);
        }

        if (!IsDevelopment(environment))
        {
            var where = EnvironmentDescription(environment);
            if (options.Gateway?.BaseUrl is { IsAbsoluteUri: true } baseUrl && !IsAllowedTransport(baseUrl))
            {
                failures.Add($"{P}:Gateway:BaseUrl must be an https URL {where}: it carries the client secret and session tokens. " +
                    "Plain http is allowed only to a loopback address (a simulator on this machine) or in the Development environment.");
            }

            if (options.Callbacks?.CertsUrl is { IsAbsoluteUri: true } certsUrl && !IsAllowedTransport(certsUrl))
            {
                failures.Add($"{P}:Callbacks:CertsUrl must be an https URL {where}: the keys fetched from it decide which callbacks are trusted. " +
                    "Plain http is allowed only to a loopback address (a simulator on this machine) or in the Development environment.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Why <c>Callbacks:DisableTokenValidation</c> is refused here, or <see langword="null"/> when it is off or allowed
    /// (the Development environment and a gateway on a loopback address).
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="environment">The host environment, when there is one.</param>
    /// <returns>The refusal, naming the key, or <see langword="null"/>.</returns>
    internal static string? DisableTokenValidationRefusal(AbdmProfileShareOptions options, IHostEnvironment? environment)
    {
        if (options.Callbacks?.DisableTokenValidation != true)
        {
            return null;
        }

        if (!IsDevelopment(environment))
        {
            return $"{DisableKey} = true is refused {EnvironmentDescription(environment)}: callbacks must be verified against the gateway's signing keys. " +
                $"It is allowed only in the Development environment with {P}:Gateway:BaseUrl on a loopback address (the simulator); remove it.";
        }

        var gateway = GatewayEndpoints.BaseUrl(options);
        if (!IsLoopback(gateway))
        {
            return $"{DisableKey} = true is refused with {P}:Gateway:BaseUrl {gateway.GetLeftPart(UriPartial.Authority)}, which is not a loopback address: " +
                "without token validation anyone could post callbacks as that gateway. It is allowed only against a simulator on this machine; remove it.";
        }

        return null;
    }

    /// <summary>Whether the host runs in the Development environment (no host environment is not development).</summary>
    internal static bool IsDevelopment(IHostEnvironment? environment) => environment is not null && environment.IsDevelopment();

    /// <summary>Whether <paramref name="url"/> names this machine: <c>localhost</c>, 127.0.0.0/8 or <c>::1</c>.</summary>
    internal static bool IsLoopback(Uri url) =>
        url.IsAbsoluteUri
        && (url.IsLoopback
            || string.Equals(url.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(url.IdnHost, out var address) && IPAddress.IsLoopback(address)));

    // Only plain http is judged here: other schemes are refused by the options validator, whatever the environment.
    private static bool IsAllowedTransport(Uri url) =>
        !string.Equals(url.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) || IsLoopback(url);

    private static string EnvironmentDescription(IHostEnvironment? environment) => environment is null
        ? "when the host environment is unknown"
        : string.IsNullOrEmpty(environment.EnvironmentName)
            ? "in an environment with no name"
            : $"in the '{environment.EnvironmentName}' environment";
}
