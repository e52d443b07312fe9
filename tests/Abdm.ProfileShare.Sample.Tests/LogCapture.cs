using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>Keeps every log line of a sample run at Information and above, as the console would show them (category: message).</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                capture._lines.Enqueue(new LogLine(logLevel, category, eventId.Id, formatter(state, exception)));
            }
        }
    }
}

/// <summary>One captured log line.</summary>
internal sealed record LogLine(LogLevel Level, string Category, int EventId, string Message)
{
    public override string ToString() => $"{Level} {Category}[{EventId}]: {Message}";
}
