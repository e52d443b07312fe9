using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.FlowTests.Support;

/// <summary>
/// Writes the host's logs to the test's output (shown when a test fails): the SDK's from Debug, everything else's
/// (Kestrel, Polly, HttpClient) from Warning. The SDK logs no patient data.
/// </summary>
internal sealed class TestOutputLogs(ITestOutputHelper output) : ILoggerProvider
{
    private volatile bool _disposed;

    public ILogger CreateLogger(string categoryName) =>
        new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..], categoryName.StartsWith("Abdm.", StringComparison.Ordinal) ? LogLevel.Debug : LogLevel.Warning);

    public void Dispose() => _disposed = true;

    private void Write(string line)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; late background logs are dropped.
        }
    }

    private sealed class Logger(TestOutputLogs owner, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}[{eventId.Id}] {formatter(state, exception)}";
            owner.Write(exception is null ? text : text + " | " + exception.GetType().Name + ": " + exception.Message);
        }
    }
}
