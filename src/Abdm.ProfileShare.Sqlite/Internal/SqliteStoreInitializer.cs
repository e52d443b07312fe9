using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Hosting;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>Creates or migrates the SQLite schema when the host starts, so a bad database fails the start, not a request.</summary>
internal sealed class SqliteStoreInitializer(IProfileShareStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        store is SqliteProfileShareStore sqlite ? sqlite.InitializeAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
