using System.Globalization;

namespace Abdm.ProfileShare.Benchmarks.Host;

/// <summary>
/// The load-benchmark processes (bench/run.sh starts them; see bench/README.md):
/// <code>
/// gateway  --port P --token-file F             a fast local gateway: sessions, JWKS, 202 for every gateway call;
///                                              writes one RS256 callback token (signed by its JWKS key) to F
/// host     --variant bare|bare-bg|memory|sqlite|redis|postgres   the share endpoint: a bare minimal-API 202 endpoint (bare-bg:
///          --port P --gateway URL               plus 2 gateway POSTs per request), or MapAbdmProfileShare() with real
///          [--outbox off] [--sqlite FILE]       JWT verification and a store (--outbox off: the request path alone)
///          [--redis HOST:PORT] [--key-prefix P] [--postgres CONNECTION-STRING] [--schema S]
///          [--client-id ID --client-secret S]
/// flow     --concurrency C --seconds S          the full flow through the gateway simulator (spawns a host)
///          [--simulator performance|strict]     the simulator's profile (default performance)
/// httpbound --concurrency C --seconds S         the raw loopback HTTP request rate (spawns a bare host)
/// sqlite-commits --file F [--seconds S]         SQLite's durable one-row commit rate on this disk (WAL, FULL sync)
/// </code>
/// Every process prints one line starting <c>BENCH-READY</c> once it listens, and results as <c>BENCH-RESULT</c>
/// lines of <c>key=value</c> pairs.
/// </summary>
internal static class Program
{
    public const string ReadyMarker = "BENCH-READY";
    public const string ResultMarker = "BENCH-RESULT";
    public const string HipId = "HIP-BENCH-1";
    public const string ClientId = "bench-client";
    public const string ClientSecret = "bench-secret-not-real";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync("usage: gateway|host|flow|httpbound|sqlite-commits [--options]; see Program.cs");
            return 2;
        }

        var options = Arguments.Parse(args.AsSpan(1));
        try
        {
            return args[0] switch
            {
                "gateway" => await FastGateway.RunAsync(options),
                "host" => await ShareHost.RunAsync(options),
                "flow" => await FlowDriver.RunAsync(options),
                "httpbound" => await HttpBoundDriver.RunAsync(options),
                "sqlite-commits" => await SqliteCommitProbe.RunAsync(options),
                _ => Usage(args[0]),
            };
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }

    private static int Usage(string mode)
    {
        Console.Error.WriteLine($"unknown mode '{mode}': gateway|host|flow|httpbound");
        return 2;
    }

    public static void Result(string kind, params (string Key, object Value)[] values)
    {
        var text = string.Join(' ', values.Select(v => v.Key + "=" + Convert.ToString(v.Value, CultureInfo.InvariantCulture)));
        Console.Out.WriteLine($"{ResultMarker} {kind} {text}");
        Console.Out.Flush();
    }
}

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Arguments Parse(ReadOnlySpan<string> args)
    {
        var parsed = new Arguments();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            }

            parsed._values[args[i][2..]] = args[++i];
        }

        return parsed;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => Get(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Get(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
