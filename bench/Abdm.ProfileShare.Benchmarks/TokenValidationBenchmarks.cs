using Abdm.ProfileShare.AspNetCore.Security.Internal;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Benchmarks;

/// <summary>
/// Gateway-JWT verification of a callback: cold (the first time a token is seen: parse, RS256 signature check with the
/// JWKS key, lifetime and audience; measured with a new authenticator per call over an already fetched key set) and
/// cached (the gateway reuses its token: a header read and a SHA-256 digest lookup).
/// </summary>
public class TokenValidationBenchmarks
{
    private BenchData.GatewayKey _key = null!;
    private IOptions<AbdmProfileShareOptions> _options = null!;
    private GatewaySigningKeyCache _keys = null!;
    private GatewayJwtCallbackAuthenticator _cached = null!;
    private HttpRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = new BenchData.GatewayKey();
        var options = new AbdmProfileShareOptions();
        options.Gateway.BaseUrl = new Uri(BenchData.BaseUrl);
        _options = Options.Create(options);
        _keys = new GatewaySigningKeyCache(_options, new InMemoryHttpClientFactory(_key.Jwks), TimeProvider.System, NullLogger<GatewaySigningKeyCache>.Instance);
        _cached = new GatewayJwtCallbackAuthenticator(_options, _keys, TimeProvider.System, NullLogger<GatewayJwtCallbackAuthenticator>.Instance);
        _request = BenchData.ShareContext(_key.Token, []).Request;
        if (!_cached.AuthenticateAsync(_request).AsTask().GetAwaiter().GetResult().Succeeded)
        {
            throw new InvalidOperationException("The benchmark token does not validate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Description = "Token validation, cold (first time: RS256 verify)")]
    public async Task<bool> Cold()
    {
        var authenticator = new GatewayJwtCallbackAuthenticator(_options, _keys, TimeProvider.System, NullLogger<GatewayJwtCallbackAuthenticator>.Instance);
        return Check((await authenticator.AuthenticateAsync(_request)).Succeeded);
    }

    [Benchmark(Description = "Token validation, cached (repeated token)")]
    public async Task<bool> Cached() => Check((await _cached.AuthenticateAsync(_request)).Succeeded);

    private static bool Check(bool succeeded) => succeeded ? true : throw new InvalidOperationException("The token did not validate.");
}
