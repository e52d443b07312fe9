using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Simulator;

/// <summary>
/// <c>dotnet run --project tools/Abdm.ProfileShare.Simulator -- [run] --port 5080 --hip-id HIP-1 --hip-callback http://127.0.0.1:5000 --client-id ID --client-secret SECRET</c>
/// runs the gateway simulator until Ctrl+C; <c>scan --simulator http://127.0.0.1:5080 --hip-id HIP-1 --counter C1 [--patient 3] [--version v1.0|v3]</c>
/// plays a scan through its control API; <c>running-token --hip-id HIP-1 --counter C1</c> asks the HIP for a counter's
/// running token (v3); <c>patients</c> lists the synthetic patients.
/// </summary>
internal static class Program
{
    private const string Usage = """
        ABDM gateway simulator (Abdm.ProfileShare.Testing)

        Run the simulator until Ctrl+C:
          run --hip-id HIP-1 --hip-callback http://127.0.0.1:5000 --client-id ID --client-secret SECRET
              [--port 5080] [--path-base /gateway] [--session-lifetime 1200] [--profile strict|performance] [--verbose]
          (--profile performance: for a load test; the same validation and rules, a journal of the latest 1,024 entries,
           session tokens verified once)
          (--hip-id/--hip-callback may be repeated in pairs; the secret may come from ABDM_SIMULATOR_CLIENT_SECRET)

        Play a scan against a running simulator and print what the phone shows:
          scan --simulator http://127.0.0.1:5080 --hip-id HIP-1 --counter C1 [--patient 3] [--version v0.5|v1.0|v3] [--timeout 30]

        Ask a HIP which token a counter is serving now (v3 running-token status) and print its on-status:
          running-token --simulator http://127.0.0.1:5080 --hip-id HIP-1 --counter C1 [--timeout 30]

        List the synthetic patients:
          patients
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
            var options = Options.Parse(command == "run" && (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) ? args : args[1..]);
            return command switch
            {
                "run" => await RunAsync(options),
                "scan" => await ScanAsync(options),
                "running-token" => await RunningTokenAsync(options),
                "patients" => ListPatients(),
                "help" or "--help" or "-h" => Help(0),
                _ => Help(2, $"Unknown command '{command}'."),
            };
        }
        catch (UsageException ex)
        {
            return Help(2, ex.Message);
        }
    }

    private static async Task<int> RunAsync(Options options)
    {
        var hipIds = options.All("hip-id");
        var callbacks = options.All("hip-callback");
        if (hipIds.Count == 0 || hipIds.Count != callbacks.Count)
        {
            throw new UsageException("Give --hip-id and --hip-callback, in pairs.");
        }

        var secret = options.One("client-secret") ?? Environment.GetEnvironmentVariable("ABDM_SIMULATOR_CLIENT_SECRET");
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(options.Flag("verbose") ? LogLevel.Debug : LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning));
        var simulatorOptions = new GatewaySimulatorOptions
        {
            ClientId = options.One("client-id") ?? throw new UsageException("--client-id is required."),
            ClientSecret = secret ?? throw new UsageException("--client-secret (or ABDM_SIMULATOR_CLIENT_SECRET) is required."),
            Port = options.Int("port") ?? 5080,
            PathBase = options.One("path-base") ?? "/gateway",
            EnableControlApi = true,
            LoggerFactory = loggerFactory,
        };
        simulatorOptions.Profile = options.One("profile") switch
        {
            null or "strict" => GatewaySimulatorProfile.Strict,
            "performance" => GatewaySimulatorProfile.Performance,
            var other => throw new UsageException($"--profile '{other}' is not strict or performance."),
        };
        if (options.Int("session-lifetime") is { } lifetime)
        {
            simulatorOptions.SessionTokenLifetime = TimeSpan.FromSeconds(lifetime);
        }

        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        await using var gateway = await AbdmGatewaySimulator.StartAsync(simulatorOptions);
        for (var i = 0; i < hipIds.Count; i++)
        {
            if (!Uri.TryCreate(callbacks[i], UriKind.Absolute, out var callback))
            {
                throw new UsageException($"--hip-callback '{callbacks[i]}' is not an absolute URL.");
            }

            gateway.RegisterHip(hipIds[i], callback);
            Console.WriteLine($"HIP {hipIds[i]}: callbacks to {callback}");
        }

        Console.WriteLine($"Gateway base URL: {gateway.BaseUrl}   (v0.5/v1.0: set AbdmProfileShare:Gateway:BaseUrl to it)");
        Console.WriteLine($"Certs:            {gateway.CertsUrl}");
        Console.WriteLine($"v3 base URL:      {gateway.BaseUrlFor(WireVersion.V3)}   (v3: set AbdmProfileShare:Gateway:BaseUrl to it)");
        Console.WriteLine($"v3 certs:         {gateway.CertsUrlFor(WireVersion.V3)}   (session token and v3 headers required)");
        Console.WriteLine($"Control API:      POST {gateway.RootUrl}_simulator/scan   POST {gateway.RootUrl}_simulator/running-token-status   GET {gateway.RootUrl}_simulator/journal");
        Console.WriteLine("Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("Stopping.");
        }

        return 0;
    }

    private static async Task<int> ScanAsync(Options options)
    {
        var simulator = options.One("simulator") ?? "http://127.0.0.1:5080";
        if (!Uri.TryCreate(simulator.TrimEnd('/') + "/", UriKind.Absolute, out var root))
        {
            throw new UsageException($"--simulator '{simulator}' is not an absolute URL.");
        }

        var timeout = options.Int("timeout") ?? 30;
        var request = new JsonObject
        {
            ["hipId"] = options.One("hip-id") ?? throw new UsageException("--hip-id is required."),
            ["counter"] = options.One("counter") ?? throw new UsageException("--counter is required."),
            ["patientIndex"] = options.Int("patient"),
            ["version"] = options.One("version") ?? "v0.5",
            ["timeoutSeconds"] = timeout,
        };

        using var http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(timeout + 30) };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync("_simulator/scan", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"The simulator at {root} could not be reached: {ex.Message}");
            return 2;
        }

        using (response)
        {
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            if (!response.IsSuccessStatusCode || body is null)
            {
                await Console.Error.WriteLineAsync($"The simulator refused the scan (HTTP {(int)response.StatusCode}): {body?["error"]}");
                return 2;
            }

            var outcome = (string?)body["outcome"];
            Console.WriteLine($"Share {body["shareRequestId"]} ({body["version"]}) to {body["hipId"]}, counter {body["counter"]}, patient #{body["patientIndex"]} {body["patientName"]} ({body["healthId"]})");
            Console.WriteLine(body["hipStatus"] is { } status ? $"HIP answered the share: HTTP {status}" : $"The share was not delivered: {body["deliveryError"]}");
            Console.WriteLine(outcome switch
            {
                "SUCCESS" => "Phone shows: SUCCESS" + (body["tokenNumber"] is { } token ? $", token number {token}" : "")
                             + (body["expiry"] is { } expiry ? $", expiry {expiry}" : ""),
                "FAILURE" => $"Phone shows: FAILURE: {body["errorMessage"] ?? "(no message)"}" + (body["errorCodeText"] is { } code ? $" (code {code})" : ""),
                "REFUSED_BY_HIP" => "Phone shows nothing: the HIP refused the share",
                "TIMEOUT" => $"Phone shows nothing: no valid on-share within {timeout} s (see GET {root}_simulator/journal)",
                _ => "Phone shows nothing: the share was not delivered",
            });
            return outcome == "SUCCESS" ? 0 : 1;
        }
    }

    private static async Task<int> RunningTokenAsync(Options options)
    {
        var simulator = options.One("simulator") ?? "http://127.0.0.1:5080";
        if (!Uri.TryCreate(simulator.TrimEnd('/') + "/", UriKind.Absolute, out var root))
        {
            throw new UsageException($"--simulator '{simulator}' is not an absolute URL.");
        }

        var timeout = options.Int("timeout") ?? 30;
        var request = new JsonObject
        {
            ["hipId"] = options.One("hip-id") ?? throw new UsageException("--hip-id is required."),
            ["counter"] = options.One("counter") ?? throw new UsageException("--counter is required."),
            ["timeoutSeconds"] = timeout,
        };

        using var http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(timeout + 30) };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync("_simulator/running-token-status", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"The simulator at {root} could not be reached: {ex.Message}");
            return 2;
        }

        using (response)
        {
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            if (!response.IsSuccessStatusCode || body is null)
            {
                await Console.Error.WriteLineAsync($"No running-token status (HTTP {(int)response.StatusCode}): {body?["error"]}");
                return response.StatusCode == System.Net.HttpStatusCode.GatewayTimeout ? 1 : 2;
            }

            Console.WriteLine($"Status request {body["requestId"]} to {body["hipId"]}, counter {body["counterCode"]}");
            if (body["deliveryError"] is { } error)
            {
                Console.WriteLine($"The HIP did not accept the request: {error}");
                return 1;
            }

            if (body["errorCode"] is { } code)
            {
                Console.WriteLine($"The HIP answered error {code}: {body["errorMessage"]}");
                return 1;
            }

            Console.WriteLine($"Now serving {body["runningTokenNumber"]}, about {body["averageTokenServiceTimeInMinutes"]} min per patient");
            return 0;
        }
    }

    private static int ListPatients()
    {
        for (var i = 0; i < SyntheticPatients.All.Count; i++)
        {
            var p = SyntheticPatients.All[i];
            var born = string.Create(CultureInfo.InvariantCulture, $"{p.YearOfBirth}{(p.MonthOfBirth is { } m ? $"-{m:D2}" : "")}{(p.DayOfBirth is { } d ? $"-{d:D2}" : "")}");
            Console.WriteLine($"{i,2}  {p.HealthId,-26} {p.Name,-20} {p.Gender,-7} {born,-10} ABHA {p.AbhaNumber ?? "null",-17} mobile {p.Mobile ?? "-"}");
        }

        return 0;
    }

    private static int Help(int exitCode, string? problem = null)
    {
        if (problem is not null)
        {
            Console.Error.WriteLine(problem);
            Console.Error.WriteLine();
        }

        (exitCode == 0 ? Console.Out : Console.Error).WriteLine(Usage);
        return exitCode;
    }
}

/// <summary>A wrong command line.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary><c>--name value</c> options (repeatable) and <c>--flag</c> switches.</summary>
internal sealed class Options
{
    private static readonly HashSet<string> Flags = ["verbose"];
    private readonly List<(string Name, string Value)> _values = [];
    private readonly HashSet<string> _flags = [];

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"Unexpected argument '{args[i]}'.");
            }

            var name = args[i][2..];
            if (Flags.Contains(name))
            {
                options._flags.Add(name);
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new UsageException($"--{name} needs a value.");
            }

            options._values.Add((name, args[++i]));
        }

        return options;
    }

    public IReadOnlyList<string> All(string name) => [.. _values.Where(v => v.Name == name).Select(v => v.Value)];

    public string? One(string name) => _values.LastOrDefault(v => v.Name == name).Value;

    public bool Flag(string name) => _flags.Contains(name);

    public int? Int(string name) =>
        One(name) is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new UsageException($"--{name} must be a whole number.");
}
