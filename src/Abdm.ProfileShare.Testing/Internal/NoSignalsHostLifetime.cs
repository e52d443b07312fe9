using Microsoft.Extensions.Hosting;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// The simulator's host lifetime: it does not listen to Ctrl+C or SIGTERM (the default console lifetime would),
/// so the simulator stops only when disposed, and never holds up or hijacks the shutdown of the process it runs in.
/// </summary>
internal sealed class NoSignalsHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
