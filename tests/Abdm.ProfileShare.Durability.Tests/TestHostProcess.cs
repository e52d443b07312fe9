using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Abdm.ProfileShare.TestHost;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// The SDK's test host (tests/Abdm.ProfileShare.TestHost) as a separate process: <c>dotnet testhost/Abdm.ProfileShare.TestHost.dll</c>
/// from this test's output folder (the test project builds the host and copies its output there; see the csproj).
/// </summary>
internal sealed class TestHostProcess : IAsyncDisposable
{
    private const string ReadyMarker = "ABDM-TESTHOST READY";
    private const int KeptLines = 400;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private readonly HttpClient _http;

    private TestHostProcess(string name, Process process, Uri baseUrl, ConcurrentQueue<string> output)
    {
        Name = name;
        _process = process;
        BaseUrl = baseUrl;
        _output = output;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(20) };
    }

    public string Name { get; }

    /// <summary>Where the host listens, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    public int Port => BaseUrl.Port;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The host's latest output lines (its logs are at Warning level unless told otherwise): for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output.Select(l => $"[{Name}] {l}"));

    public static string HostAssemblyPath => Path.Combine(AppContext.BaseDirectory, "testhost", "Abdm.ProfileShare.TestHost.dll");

    /// <summary>Starts the host and waits for its ready line.</summary>
    /// <param name="name">A name for messages ("A", "B", "first run").</param>
    /// <param name="settings">Configuration keys and values passed as <c>--key=value</c> (the port: <c>urls</c>).</param>
    /// <param name="environment">Environment variables (the client secret goes here, not on the command line).</param>
    public static async Task<TestHostProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null)
    {
        if (!File.Exists(HostAssemblyPath))
        {
            throw new InvalidOperationException($"The test host was not found at {HostAssemblyPath}; build tests/Abdm.ProfileShare.Durability.Tests (it builds and copies the host).");
        }

        var start = new ProcessStartInfo(DotnetPath())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(HostAssemblyPath)!,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(HostAssemblyPath);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.ArgumentList.Add("--TestHost:ExitWithStdin=true");
        foreach (var variable in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" })
        {
            start.Environment.Remove(variable);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var output = new ConcurrentQueue<string>();
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Keep(string? line, string stream)
        {
            if (line is null)
            {
                return;
            }

            output.Enqueue(stream + line);
            while (output.Count > KeptLines && output.TryDequeue(out _))
            {
            }

            if (line.StartsWith(ReadyMarker, StringComparison.Ordinal))
            {
                ready.TrySetResult(new Uri(line[ReadyMarker.Length..].Trim().TrimEnd('/') + "/"));
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data, "");
        process.ErrorDataReceived += (_, e) => Keep(e.Data, "stderr: ");
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            $"Test host {name} exited before it was ready.{Environment.NewLine}{string.Join(Environment.NewLine, output)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await ready.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
            return new TestHostProcess(name, process, url, output);
        }
        catch
        {
            KillTree(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, in-flight requests and outbox work die with the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Graceful stop: closes stdin (the host stops on EOF); kills it if it has not exited in time.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
            KillTree(_process);
        }
    }

    /// <summary>The queue of <paramref name="hipId"/> as this instance reads it from its store (<c>GET /_test/entries</c>).</summary>
    public async Task<EntriesResponse> GetEntriesAsync(string hipId)
    {
        var response = await _http.GetFromJsonAsync<EntriesResponse>($"_test/entries?hip={Uri.EscapeDataString(hipId)}", Json);
        return response ?? throw new InvalidOperationException("The test host answered no entries.");
    }

    /// <summary>Subscribes to the instance's change feed (<c>GET /_test/changes</c>); returns once it is live.</summary>
    public Task<ChangeFeedClient> WatchAsync(string hipId) => ChangeFeedClient.ConnectAsync(BaseUrl, hipId);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _http.Dispose();
    }

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The dotnet muxer that runs this test (dotnet test sets DOTNET_HOST_PATH), else "dotnet" from PATH.</summary>
    private static string DotnetPath()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
