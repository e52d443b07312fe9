using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Endpoints.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.AspNetCore.Security.Internal;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Benchmarks;

/// <summary>
/// The whole share hot path without the HTTP server: <c>POST /v0.5/patients/profile/share</c>'s handler
/// (<c>CallbackEndpoints.ShareV05Async</c>) on a request as Kestrel hands it over: the token check (cached: the
/// gateway reuses its token), X-HIP-ID, the body read within limits, the workflow's mapping and the in-memory store
/// write, the 202. Every call is a new share (unique requestId and PHR address); each iteration starts on a fresh
/// service provider and store. Allocated bytes per operation are the hot path's allocations per share.
/// </summary>
[InvocationCount(Shares)]
public class ShareEndpointBenchmarks
{
    private const int Shares = 4096;
    private BenchData.GatewayKey _key = null!;
    private IGatewayCallbackAuthenticator _authenticator = null!;
    private DefaultHttpContext[] _requests = [];
    private ServiceProvider? _services;
    private CallbackEndpoints _endpoints = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _key = new BenchData.GatewayKey();
        var options = new AbdmProfileShareOptions();
        options.Gateway.BaseUrl = new Uri(BenchData.BaseUrl);
        var keys = new GatewaySigningKeyCache(Options.Create(options), new InMemoryHttpClientFactory(_key.Jwks), TimeProvider.System, NullLogger<GatewaySigningKeyCache>.Instance);
        _authenticator = new GatewayJwtCallbackAuthenticator(Options.Create(options), keys, TimeProvider.System, NullLogger<GatewayJwtCallbackAuthenticator>.Instance);
        _requests = Enumerable.Range(0, Shares).Select(i => BenchData.ShareContext(_key.Token, BenchData.ShareBody(Guid.NewGuid(), i))).ToArray();
    }

    [IterationSetup]
    public void NewStore()
    {
        _services?.Dispose();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAbdmProfileShare(o =>
        {
            o.HipIds.Add(BenchData.HipId);
            o.Gateway.BaseUrl = new Uri(BenchData.BaseUrl);
            o.Gateway.ClientId = "bench-client";
            o.Gateway.ClientSecret = "bench-secret-not-real";
        });
        _services = services.BuildServiceProvider();
        _endpoints = ActivatorUtilities.CreateInstance<CallbackEndpoints>(_services, _authenticator);
        foreach (var request in _requests)
        {
            request.Request.Body.Position = 0;
            request.Response.StatusCode = 200;
        }

        _next = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        _key.Dispose();
    }

    [Benchmark(Description = "Share endpoint handler (auth cached + read + accept + 202)")]
    public async Task<int> Share()
    {
        var context = _requests[_next++];
        await _endpoints.ShareV05Async(context);
        return context.Response.StatusCode == 202 ? 202 : throw new InvalidOperationException($"status {context.Response.StatusCode}");
    }
}
