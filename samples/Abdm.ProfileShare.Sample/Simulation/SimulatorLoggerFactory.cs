using Microsoft.Extensions.Logging.Abstractions;

namespace Abdm.ProfileShare.Sample.Simulation;

/// <summary>
/// Passes the simulator's own log messages to the app's logging and drops its embedded web host's
/// (<c>Microsoft.*</c>: "Now listening on", "Content root path"), which would read as if they were the sample's.
/// </summary>
internal sealed class SimulatorLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Abdm.", StringComparison.Ordinal) ? inner.CreateLogger(categoryName) : NullLogger.Instance;

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The app owns the inner factory.
    public void Dispose()
    {
    }
}
