using System.Diagnostics;
using System.Net.Http.Headers;

namespace Abdm.ProfileShare.Benchmarks.Host;

/// <summary>
/// The raw loopback HTTP request rate: an <see cref="HttpClient"/> loop with <c>--concurrency</c> requests in flight,
/// each a POST of a v0.5 share body (with an Authorization header of a real token's length) to the bare 202
/// endpoint in its own process. One full flow needs 6 such exchanges, so this rate / 6 is the bound for flows/s.
/// </summary>
internal static class HttpBoundDriver
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var concurrency = args.Int("concurrency", 64);
        var seconds = args.Double("seconds", 10);
        var warmup = args.Double("warmup", 3);

        await using var host = await ChildProcess.StartAsync(["host", "--variant", "bare", "--port", "0"], TimeSpan.FromSeconds(30));
        var url = new Uri(host.Address.TrimEnd('/') + "/v0.5/patients/profile/share");
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
        var authorization = "Bearer " + new string('x', 760);
        var body = BenchPatients.ShareBody(Guid.NewGuid(), 1);

        var (warmCount, _, _) = await HammerAsync(client, url, authorization, body, concurrency, TimeSpan.FromSeconds(warmup));
        var hostCpu0 = host.CpuTime;
        var selfCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var (count, failures, elapsed) = await HammerAsync(client, url, authorization, body, concurrency, TimeSpan.FromSeconds(seconds));
        var serverCpu = (host.CpuTime - hostCpu0).TotalMilliseconds;
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - selfCpu0).TotalMilliseconds;
        var rate = count / elapsed.TotalSeconds;
        Program.Result("httpbound",
            ("concurrency", concurrency), ("requests", count), ("failures", failures), ("seconds", Math.Round(elapsed.TotalSeconds, 2)),
            ("rps", Math.Round(rate)), ("warmup_requests", warmCount), ("flow_bound", Math.Round(rate / 6, 1)),
            ("server_cpu_us_per_request", Math.Round(serverCpu * 1000 / Math.Max(1, count), 1)), ("client_cpu_us_per_request", Math.Round(clientCpu * 1000 / Math.Max(1, count), 1)),
            ("cpu_utilization", Math.Round((serverCpu + clientCpu) / elapsed.TotalMilliseconds, 2)));
        return failures == 0 ? 0 : 1;
    }

    private static async Task<(long Count, long Failures, TimeSpan Elapsed)> HammerAsync(HttpClient client, Uri url, string authorization, byte[] body, int concurrency, TimeSpan duration)
    {
        long count = 0;
        long failures = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (stopwatch.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
                request.Headers.Add("X-HIP-ID", Program.HipId);
                using var response = await client.SendAsync(request);
                if ((int)response.StatusCode == 202)
                {
                    Interlocked.Increment(ref count);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return (count, failures, stopwatch.Elapsed);
    }
}
