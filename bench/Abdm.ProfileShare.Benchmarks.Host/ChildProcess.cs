using System.Diagnostics;

namespace Abdm.ProfileShare.Benchmarks.Host;

/// <summary>This executable started again in another mode (a host for a driver); stopped with it.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>CPU time the child has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>What the child printed after the ready marker (its URL).</summary>
    public string Address { get; }

    public static async Task<ChildProcess> StartAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Abdm.ProfileShare.Benchmarks.Host"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("The child process ended before it was ready."));
            }
            else if (e.Data.StartsWith(Program.ReadyMarker, StringComparison.Ordinal))
            {
                ready.TrySetResult(e.Data[Program.ReadyMarker.Length..].Trim());
            }
            else
            {
                Console.Error.WriteLine("[child] " + e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        try
        {
            var address = await ready.Task.WaitAsync(timeout);
            return new ChildProcess(process, address);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
