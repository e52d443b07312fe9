using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare;

/// <summary>
/// Returned by <c>AddAbdmProfileShare</c>, to chain further set-up: a store (<c>UseSqliteStore</c>,
/// <c>UseRedisStore</c>), handlers (<see cref="AbdmProfileShareBuilderExtensions"/>), or gateway HTTP settings
/// through <see cref="GatewayHttpClient"/> (a proxy, a primary handler, extra delegating handlers).
/// </summary>
public sealed class AbdmProfileShareBuilder
{
    internal AbdmProfileShareBuilder(IServiceCollection services, IHttpClientBuilder gatewayHttpClient, IHttpClientBuilder sessionsHttpClient)
    {
        Services = services;
        GatewayHttpClient = gatewayHttpClient;
        SessionsHttpClient = sessionsHttpClient;
    }

    /// <summary>
    /// The name of the <c>HttpClient</c> that fetches the gateway's signing keys (JWKS, <see cref="AbdmProfileShareOptions.GetCertsUrl"/>)
    /// for callback authentication: <c>Abdm.ProfileShare.Gateway.Certs</c>. It has the gateway calls' resilience pipeline
    /// and, on v3, the session token and the v3 headers. Configure it with <c>services.AddHttpClient(CertsHttpClientName)</c>
    /// (a proxy, a primary handler); a callback transport creates it from <c>IHttpClientFactory</c> by this name.
    /// </summary>
    public const string CertsHttpClientName = "Abdm.ProfileShare.Gateway.Certs";

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// The <c>HttpClient</c> builder of gateway calls (on-share, auth init and confirm, certs). It already has the
    /// session-token handler and the resilience pipeline configured from <c>AbdmProfileShare:Resilience</c>.
    /// </summary>
    public IHttpClientBuilder GatewayHttpClient { get; }

    /// <summary>The <c>HttpClient</c> builder of <c>/v0.5/sessions</c> calls (same resilience, no session token).</summary>
    public IHttpClientBuilder SessionsHttpClient { get; }
}
