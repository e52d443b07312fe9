using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Endpoints.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.Benchmarks;

/// <summary>
/// Reading a share body: content type, size limit (the transport's <c>CallbackBodyReader</c>), then the inbox's read:
/// the security scan, source-generated deserialization and the mapping to the model (<c>IProfileShareInbox.ReadShare</c>).
/// </summary>
public class ShareBodyReaderBenchmarks
{
    private readonly CallbackOptions _limits = new();
    private DefaultHttpContext _context = null!;
    private MemoryStream _body = null!;
    private ServiceProvider _services = null!;
    private IProfileShareInbox _inbox = null!;

    /// <summary>Bytes in the v0.5 share body.</summary>
    public static int BodyBytes { get; } = BenchData.ShareBody(Guid.NewGuid(), 1).Length;

    [GlobalSetup]
    public void Setup()
    {
        _context = BenchData.ShareContext("unused", BenchData.ShareBody(Guid.NewGuid(), 1));
        _body = (MemoryStream)_context.Request.Body;
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
        _inbox = _services.GetRequiredService<IProfileShareInbox>();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Description = "CallbackBodyReader.ReadAsync + IProfileShareInbox.ReadShare (documented share, v0.5)")]
    public async Task<object?> ReadShareBody()
    {
        _body.Position = 0;
        var body = await CallbackBodyReader.ReadAsync(_context.Request, _limits, _inbox,
            static (inbox, bytes) => inbox.ReadShare(WireVersion.V05, BenchData.HipId, null, bytes), CancellationToken.None);
        return body.Value ?? throw new InvalidOperationException(body.Error);
    }
}
