using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Hosting;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>Creates or migrates the schema when the host starts, so a bad database fails the start, not a request.</summary>
internal sealed class PgStoreInitializer(IProfileShareStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        store is PostgreSqlProfileShareStore postgres ? postgres.InitializeAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
