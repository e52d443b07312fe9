using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;

namespace Abdm.ProfileShare.Benchmarks.Host;

/// <summary>
/// The full-flow rate: the gateway simulator (in this process) and a host with <c>MapAbdmProfileShare()</c> and the
/// in-memory store (its own process, real JWT verification against the simulator's JWKS), on loopback.
/// <c>--concurrency</c> workers each play a scan of a new synthetic patient and wait until the host has stored the
/// linking token (the simulator's on-confirm carrying it was answered 2xx, which the host does only after the store
/// write), then play the next: share, on-share, auth init, on-init, auth confirm, on-confirm (6 HTTP exchanges;
/// the session and the JWKS are fetched once). A warm-up flows first (<c>--warmup-flows</c>, repeated until
/// <c>--warmup-seconds</c> have passed); then <c>--flows</c> flows are timed from the
/// first share to the last stored token (or, without <c>--flows</c>, as many as fit in <c>--seconds</c>).
/// <c>--simulator performance</c> (the default) runs the simulator in <see cref="GatewaySimulatorProfile.Performance"/>
/// (the same validation, a bounded journal, session tokens verified once); <c>--simulator strict</c> in
/// <see cref="GatewaySimulatorProfile.Strict"/>, as a test would, to measure the difference.
/// <c>--chain timed-out</c> plays the linking chain that ends in its callback timeout instead: the simulator drops every
/// on-init, the host's <c>Linking:CallbackTimeout</c> is <c>--callback-timeout</c> seconds (default 2), and a flow ends
/// when the simulator dropped its on-init (share, on-share, auth init: 3 exchanges). The host's timeout work (the timeout
/// step, the entry's TimedOut write, the HIS notification) runs after that, so the host's CPU is also read after a tail
/// of the callback timeout plus 3 s, less what the idle host uses in as long (measured before the timed batch).
/// </summary>
internal static class FlowDriver
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var concurrency = args.Int("concurrency", 64);
        var seconds = args.Double("seconds", 10);
        var warmupFlows = args.Int("warmup-flows", 400);
        var store = args.Get("store") ?? "memory";
        var timedOut = args.Get("chain") switch
        {
            null or "completed" => false,
            "timed-out" => true,
            var other => throw new ArgumentException($"--chain must be completed or timed-out, not '{other}'"),
        };
        var callbackTimeout = args.Double("callback-timeout", 2);
        var profile = args.Get("simulator") switch
        {
            null or "performance" => GatewaySimulatorProfile.Performance,
            "strict" => GatewaySimulatorProfile.Strict,
            var other => throw new ArgumentException($"--simulator must be strict or performance, not '{other}'"),
        };

        await using var simulator = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions
        {
            ClientId = Program.ClientId,
            ClientSecret = Program.ClientSecret,
            CallbackTimeout = TimeSpan.FromSeconds(30),
            Profile = profile,
        });

        // One journal waiter for the whole run, registered before any traffic: it sees every entry (the Performance
        // profile's journal keeps only the latest), counts the exchanges, and completes a patient's flow on each
        // on-confirm the simulator sent.
        var pending = new ConcurrentDictionary<string, TaskCompletionSource<bool>>(StringComparer.Ordinal);
        var counts = new JournalCounts();
        using var stop = new CancellationTokenSource();
        _ = simulator.Journal.WaitForAsync(entry =>
        {
            counts.Add(entry);
            if (entry.Direction == JournalDirection.Sent && entry.HealthId is { } healthId && pending.TryGetValue(healthId, out var flow))
            {
                if (!timedOut && entry.Operation == GatewayOperation.OnConfirm)
                {
                    flow.TrySetResult(entry.IsDelivered && HasLinkingToken(entry));
                }
                else if (timedOut && entry.Operation == GatewayOperation.OnInit)
                {
                    flow.TrySetResult(entry.Faults.Contains(FaultKind.Drop));
                }
            }

            return false;
        }, TimeSpan.FromDays(1), stop.Token).ContinueWith(static _ => { }, TaskScheduler.Default);

        string[] hostArguments = ["host", "--variant", store, "--port", "0", "--gateway", simulator.BaseUrl.ToString(),
            "--client-id", Program.ClientId, "--client-secret", Program.ClientSecret];
        if (args.Get("sqlite") is { } sqlite)
        {
            hostArguments = [.. hostArguments, "--sqlite", sqlite];
        }

        if (args.Get("redis") is { } redis)
        {
            hostArguments = [.. hostArguments, "--redis", redis, "--key-prefix", args.Get("key-prefix") ?? "abdm:flow:"];
        }

        if (timedOut)
        {
            simulator.Faults.For(GatewayOperation.OnInit).Drop();
            hostArguments = [.. hostArguments, "--callback-timeout", callbackTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }

        await using var host = await ChildProcess.StartAsync(hostArguments, TimeSpan.FromSeconds(30));
        simulator.RegisterHip(Program.HipId, new Uri(host.Address.TrimEnd('/') + "/"));

        var next = 0;
        // Warm-up: --warmup-flows, then more batches of that size until --warmup-seconds have passed. Tiered compilation
        // keeps optimising the host for many seconds under this load (measured: host CPU per flow 3.9 ms after 2,000
        // warm-up flows, 1.0 ms after 12,000), and a timed batch that includes it measures the JIT, not a flow.
        var warmupSeconds = args.Double("warmup-seconds", 0);
        var warmupClock = Stopwatch.StartNew();
        FlowBatch warm;
        var warmedUp = 0;
        do
        {
            warm = await RunFlowsAsync(simulator, pending, () => Interlocked.Increment(ref next), concurrency, warmupFlows);
            warmedUp += warm.Completed + warm.Failures;
            if (warm.Failures > 0)
            {
                await Console.Error.WriteLineAsync($"warm-up: {warm.Failures} flows failed");
            }
        }
        while (warmupClock.Elapsed.TotalSeconds < warmupSeconds);

        // Size the timed batch from the last warm-up batch's rate so it takes about --seconds.
        var flows = args.Int("flows", Math.Max(concurrency * 4, (int)(warm.Completed / warm.Elapsed.TotalSeconds * seconds)));
        var tail = TimeSpan.FromSeconds(timedOut ? callbackTimeout + 3 : 0);
        var idleCpuPerSecond = 0.0;
        if (timedOut)
        {
            // The warm-up's timeouts end first; then what the idle host spends per second (its outbox's idle checks).
            await Task.Delay(tail);
            var idle0 = host.CpuTime;
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(3));
            idleCpuPerSecond = (host.CpuTime - idle0).TotalMilliseconds / idleClock.Elapsed.TotalSeconds;
        }

        var hostCpu0 = host.CpuTime;
        var selfCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var timed = await RunFlowsAsync(simulator, pending, () => Interlocked.Increment(ref next), concurrency, flows);
        var hostCpu = (host.CpuTime - hostCpu0).TotalMilliseconds;
        var simulatorCpu = (Process.GetCurrentProcess().TotalProcessorTime - selfCpu0).TotalMilliseconds;
        var tailCpu = 0.0;
        if (timedOut)
        {
            // The last flows' timeouts are due a callback timeout after their auth init; their work ends within the tail.
            var tail0 = host.CpuTime;
            var tailClock = Stopwatch.StartNew();
            await Task.Delay(tail);
            tailCpu = Math.Max(0, (host.CpuTime - tail0).TotalMilliseconds - idleCpuPerSecond * tailClock.Elapsed.TotalSeconds);
        }

        await stop.CancelAsync();

        var total = warmedUp + timed.Completed + timed.Failures;
        Program.Result("flow",
            ("store", store), ("chain", timedOut ? "timed-out" : "completed"), ("simulator", profile.ToString().ToLowerInvariant()), ("concurrency", concurrency), ("flows", timed.Completed), ("failures", timed.Failures),
            ("seconds", Math.Round(timed.Elapsed.TotalSeconds, 2)), ("flows_per_s", Math.Round(timed.Completed / timed.Elapsed.TotalSeconds, 1)),
            ("p50_ms", Math.Round(timed.Percentile(50), 1)), ("p99_ms", Math.Round(timed.Percentile(99), 1)),
            ("exchanges_per_flow", Math.Round(counts.Exchanges / (double)Math.Max(1, total), 2)),
            ("sessions", counts.Sessions), ("certs", counts.Certs),
            ("host_cpu_ms_per_flow", Math.Round((hostCpu + tailCpu) / Math.Max(1, timed.Completed), 3)),
            ("host_tail_cpu_ms_per_flow", Math.Round(tailCpu / Math.Max(1, timed.Completed), 3)),
            ("simulator_cpu_ms_per_flow", Math.Round(simulatorCpu / Math.Max(1, timed.Completed), 3)),
            ("cpu_utilization", Math.Round((hostCpu + simulatorCpu) / timed.Elapsed.TotalMilliseconds, 2)));
        return timed.Failures == 0 ? 0 : 1;
    }

    private static bool HasLinkingToken(JournalEntry entry) =>
        entry.Body is { ValueKind: JsonValueKind.Object } body
        && body.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Object
        && auth.TryGetProperty("accessToken", out var token) && token.ValueKind == JsonValueKind.String;

    private static async Task<FlowBatch> RunFlowsAsync(AbdmGatewaySimulator simulator, ConcurrentDictionary<string, TaskCompletionSource<bool>> pending, Func<int> nextIndex, int concurrency, int flows)
    {
        var started = 0;
        var completed = 0;
        var failures = 0;
        var durations = new ConcurrentBag<double>();
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref started) <= flows)
            {
                var patient = BenchPatients.Create(nextIndex());
                var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                pending[patient.HealthId] = done;
                var begin = stopwatch.Elapsed;
                var share = await simulator.ScanAsync(new SimulatedScan(Program.HipId, "counter-" + (worker % 4), patient, WireVersion.V05));
                var ok = share.HipStatusCode == 202;
                if (ok)
                {
                    try
                    {
                        ok = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
                    }
                    catch (TimeoutException)
                    {
                        ok = false;
                    }
                }

                pending.TryRemove(patient.HealthId, out _);
                if (ok)
                {
                    Interlocked.Increment(ref completed);
                    durations.Add((stopwatch.Elapsed - begin).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return new FlowBatch(completed, failures, stopwatch.Elapsed, [.. durations.Order()]);
    }

    /// <summary>What the journal recorded, counted as it is recorded (called under the journal's lock, one entry at a time).</summary>
    private sealed class JournalCounts
    {
        private long _exchanges;
        private long _sessions;
        private long _certs;

        public long Exchanges => Interlocked.Read(ref _exchanges);

        public long Sessions => Interlocked.Read(ref _sessions);

        public long Certs => Interlocked.Read(ref _certs);

        public void Add(JournalEntry entry)
        {
            switch (entry.Operation)
            {
                case GatewayOperation.Share or GatewayOperation.OnShare or GatewayOperation.AuthInit or GatewayOperation.OnInit
                    or GatewayOperation.AuthConfirm or GatewayOperation.OnConfirm:
                    Interlocked.Increment(ref _exchanges);
                    break;
                case GatewayOperation.Sessions:
                    Interlocked.Increment(ref _sessions);
                    break;
                case GatewayOperation.Certs:
                    Interlocked.Increment(ref _certs);
                    break;
            }
        }
    }

    private sealed record FlowBatch(int Completed, int Failures, TimeSpan Elapsed, double[] Durations)
    {
        public double Percentile(double p) => Durations.Length == 0 ? double.NaN : Durations[Math.Min(Durations.Length - 1, (int)Math.Ceiling(p / 100 * Durations.Length) - 1)];
    }
}
