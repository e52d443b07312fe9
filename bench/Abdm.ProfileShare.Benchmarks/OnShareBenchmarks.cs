using System.Text.Json;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.Benchmarks;

/// <summary>
/// The on-share acknowledgement: the v0.5 body as <c>AbdmGatewayClient.SendShareAcknowledgementAsync</c> builds it,
/// serialized with the source-generated context; and the client's whole send (body, request message, headers) through
/// an in-memory handler that answers 202 (no socket, no resilience pipeline, no session handler).
/// </summary>
public class OnShareBenchmarks
{
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly ShareAcknowledgement _acknowledgement = new()
    {
        RequestId = Guid.NewGuid(),
        ShareRequestId = Guid.NewGuid(),
        HealthId = "bench.000001@sbx",
        WireVersion = WireVersion.V05,
        Success = true,
        TokenNumber = "17",
    };

    private AbdmGatewayClient _client = null!;
    private ServiceProvider? _services;

    [GlobalSetup]
    public void Setup()
    {
        // The client's own dependencies (options, clock, logger, metrics) come from the SDK's registration; only its
        // HttpClient is replaced by one on an in-memory handler.
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
        _client = ActivatorUtilities.CreateInstance<AbdmGatewayClient>(_services, new HttpClient(new InMemoryGatewayHandler([])));
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Description = "on-share v0.5: build body + serialize")]
    public byte[] BuildAndSerialize()
    {
        var a = _acknowledgement;
        var body = new ShareProfileResult
        {
            RequestId = a.RequestId,
            Timestamp = _time.GetUtcNow(),
            Acknowledgement = new ShareProfileAcknowledgement { Status = ShareProfileStatus.SUCCESS, HealthId = a.HealthId },
            Error = null,
            Resp = new RequestReference { RequestId = a.ShareRequestId },
        };
        return JsonSerializer.SerializeToUtf8Bytes(body, AbdmJsonContext.Default.ShareProfileResult);
    }

    [Benchmark(Description = "on-share v0.5: client send, in-memory 202")]
    public Task ClientSend() => _client.SendShareAcknowledgementAsync(_acknowledgement);
}
