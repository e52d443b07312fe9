// A fresh minimal host that uses the packages the way a HIS vendor does (the README quickstart), then completes
// one scan against the gateway simulator: the phone gets SUCCESS with a token number and a linking token is stored.
// It runs twice on the SQLite store: on the v0.5 gateway (a v1.0 share, the demographic-auth chain) and on ABDM v3 (a v3
// share, generate-token); then once more on the PostgreSQL store (the v0.5 gateway) in the cluster ABDM_TEST_POSTGRES
// names (.ci/run starts one; without it the run is skipped, and fails under CI=true). Exit code 0 on success, 1 with a
// reason otherwise.
using Abdm.ProfileShare;
using Abdm.ProfileShare.AspNetCore;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.PostgreSql;
using Abdm.ProfileShare.Sqlite;
using Abdm.ProfileShare.Testing;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

const string HipId = "CONSUMER-HIP-1";
foreach (var (deployment, shareVersion) in new[] { (WireVersion.V05, WireVersion.V10), (WireVersion.V3, WireVersion.V3) })
{
    if (await RunAsync(deployment, shareVersion, args, postgres: null) is var rc and not 0)
    {
        return rc;
    }
}

var postgres = Environment.GetEnvironmentVariable("ABDM_TEST_POSTGRES");
if (string.IsNullOrWhiteSpace(postgres))
{
    if (Environment.GetEnvironmentVariable("CI") == "true")
    {
        return Fail("ABDM_TEST_POSTGRES is not set: the PostgreSQL run needs the cluster .ci/run starts");
    }

    Console.WriteLine("consumer smoke test: PostgreSQL run skipped (ABDM_TEST_POSTGRES is not set)");
    return 0;
}

return await RunAsync(WireVersion.V05, WireVersion.V10, args, postgres);

static async Task<int> RunAsync(WireVersion deployment, WireVersion shareVersion, string[] args, string? postgres)
{
    var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    var dataDirectory = Directory.CreateTempSubdirectory("abdm-consumer-");
    try
    {
        await using var gateway = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions { ClientId = "consumer-client", ClientSecret = secret });

        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAbdmProfileShare(o =>
            {
                o.HipIds.Add(HipId);
                o.WireVersion = deployment;
                o.Gateway.BaseUrl = gateway.BaseUrlFor(deployment);
                o.Gateway.ClientId = "consumer-client";
                o.Gateway.ClientSecret = secret;
            })
            .UseStore(postgres, dataDirectory);
        await using var app = builder.Build();
        app.MapGroup("/abdm").MapAbdmProfileShare();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        gateway.RegisterHip(HipId, new Uri(address.TrimEnd('/') + "/abdm/"));

        var patient = SyntheticPatients.All[0];
        var share = await gateway.ScanAsync(new SimulatedScan(HipId, "counter-1", patient, shareVersion));
        var phone = await share.Acknowledgement.WaitAsync(TimeSpan.FromSeconds(30));
        if (!phone.IsSuccess)
        {
            return Fail($"the phone showed {phone.Status}");
        }

        var linkingToken = deployment == WireVersion.V3
            ? await gateway.Journal.WaitForLinkTokenIssuedAsync(patient.HealthId, TimeSpan.FromSeconds(30))
            : await gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, TimeSpan.FromSeconds(30));
        var queue = app.Services.GetRequiredService<ICounterQueue>();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var entry = (await queue.ListAsync(HipId, "counter-1")).Single();
        // Subscribe first, then look: a change after the look wakes the loop, one before it is seen by the look.
        var changes = queue.WatchAsync(HipId, "counter-1", wait.Token).GetAsyncEnumerator(wait.Token);
        var next = changes.MoveNextAsync().AsTask();
        try
        {
            while ((await queue.GetAsync(entry.Id))!.Linking.State is not (LinkingState.Linked or LinkingState.Failed or LinkingState.TimedOut))
            {
                await next;
                next = changes.MoveNextAsync().AsTask();
            }
        }
        finally
        {
            await wait.CancelAsync();
            try
            {
                await next;
            }
            catch (OperationCanceledException)
            {
            }

            await changes.DisposeAsync();
        }

        entry = (await queue.GetAsync(entry.Id))!;
        var stored = await queue.GetLinkingTokenAsync(HipId, patient.HealthId);
        if (entry.Linking.State != LinkingState.Linked || stored?.Token != linkingToken)
        {
            return Fail($"the linking chain ended {entry.Linking.State}");
        }

        Console.WriteLine($"consumer smoke test passed ({deployment}, {(postgres is null ? "SQLite" : "PostgreSQL")}): the phone showed SUCCESS with token {phone.TokenNumber}; the linking token is stored");
        await app.StopAsync();
        return 0;
    }
    catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
    {
        return Fail("timed out: " + ex.Message);
    }
    finally
    {
        dataDirectory.Delete(recursive: true);
    }
}

static int Fail(string reason)
{
    Console.Error.WriteLine("consumer smoke test FAILED: " + reason);
    return 1;
}

internal static class StoreChoice
{
    /// <summary>SQLite in the temp folder, or PostgreSQL in a schema of its own (dropped with the cluster).</summary>
    public static AbdmProfileShareBuilder UseStore(this AbdmProfileShareBuilder builder, string? postgres, DirectoryInfo dataDirectory) =>
        postgres is null
            ? builder.UseSqliteStore($"Data Source={Path.Combine(dataDirectory.FullName, "abdm.db")}")
            : builder.UsePostgreSqlStore(o =>
            {
                o.ConnectionString = postgres;
                o.Schema = $"consumer_{Guid.NewGuid():N}";
            });
}
