using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.Wire;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.Benchmarks;

/// <summary>Reading a share body: content type, size limit, the security scan and source-generated deserialization.</summary>
public class ShareBodyReaderBenchmarks
{
    private readonly CallbackOptions _limits = new();
    private DefaultHttpContext _context = null!;
    private MemoryStream _body = null!;

    /// <summary>Bytes in the v0.5 share body.</summary>
    public static int BodyBytes { get; } = BenchData.ShareBody(Guid.NewGuid(), 1).Length;

    [GlobalSetup]
    public void Setup()
    {
        _context = BenchData.ShareContext("unused", BenchData.ShareBody(Guid.NewGuid(), 1));
        _body = (MemoryStream)_context.Request.Body;
    }

    [Benchmark(Description = "CallbackBodyReader.ReadAsync (documented share, v0.5)")]
    public async Task<object?> ReadShareBody()
    {
        _body.Position = 0;
        var body = await CallbackBodyReader.ReadAsync(_context.Request, AbdmJsonContext.Default.ShareProfileRequest, _limits, CancellationToken.None);
        return body.Value ?? throw new InvalidOperationException(body.Error);
    }
}
