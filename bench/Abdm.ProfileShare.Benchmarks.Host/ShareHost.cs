using System.Net;
using Abdm.ProfileShare.AspNetCore;
using Abdm.ProfileShare.PostgreSql;
using Abdm.ProfileShare.Redis;
using Abdm.ProfileShare.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Benchmarks.Host;

/// <summary>
/// One share-endpoint variant on a loopback port, in its own process (Release, Server GC):
/// <list type="bullet">
/// <item><c>bare</c>: the baseline, a minimal-API <c>POST /v0.5/patients/profile/share</c> that reads the body and answers 202;</item>
/// <item><c>bare-bg</c>: the same plus the two gateway POSTs a share causes, from 16 background workers (what the
/// machine can do with the HTTP work of a share alone);</item>
/// <item><c>memory</c> / <c>sqlite</c> / <c>redis</c> / <c>postgres</c>: <c>MapAbdmProfileShare()</c> with the default (real) gateway-JWT
/// verification against the gateway's JWKS and that store; the outbox processor runs against <c>--gateway</c>
/// (<c>--outbox off</c>: not started, the request path alone).</item>
/// </list>
/// Both use <c>WebApplication.CreateSlimBuilder</c> and log warnings only, so the difference is the SDK's work.
/// </summary>
internal static class ShareHost
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var variant = args.Require("variant");
        var port = args.Int("port", 0);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c => c.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));

        if (variant == "bare-bg")
        {
            builder.Services.AddHttpClient();
        }
        else if (variant != "bare")
        {
            var gateway = new Uri(args.Require("gateway"));
            var abdm = builder.Services.AddAbdmProfileShare(o =>
            {
                o.HipIds.Add(Program.HipId);
                o.Gateway.BaseUrl = gateway;
                o.Gateway.ClientId = args.Get("client-id") ?? Program.ClientId;
                o.Gateway.ClientSecret = args.Get("client-secret") ?? Program.ClientSecret;
                if (args.Get("callback-timeout") is { } callbackTimeout)
                {
                    // The flow driver's timed-out chains (seconds).
                    o.Linking.CallbackTimeout = TimeSpan.FromSeconds(double.Parse(callbackTimeout, System.Globalization.CultureInfo.InvariantCulture));
                }
            });
            if (args.Get("outbox") == "off")
            {
                // Request path only: the outbox processor (acknowledgements, linking calls) is not started.
                var processor = builder.Services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "OutboxProcessor");
                builder.Services.Remove(processor);
            }

            switch (variant)
            {
                case "memory":
                    abdm.UseInMemoryStore();
                    break;
                case "sqlite":
                    abdm.UseSqliteStore("Data Source=" + args.Require("sqlite"));
                    break;
                case "redis":
                    abdm.UseRedisStore(args.Require("redis") + ",abortConnect=false", args.Get("key-prefix") ?? "abdm:bench:");
                    break;
                case "postgres":
                    abdm.UsePostgreSqlStore(options =>
                    {
                        options.ConnectionString = args.Require("postgres");
                        options.Schema = args.Get("schema") ?? "abdm_bench";
                    });
                    break;
                default:
                    throw new ArgumentException($"unknown variant '{variant}': bare|memory|sqlite|redis|postgres");
            }
        }

        var app = builder.Build();
        if (variant == "bare-bg")
        {
            // The bare endpoint plus the gateway traffic a share causes in the SDK: after the 202, two POSTs to the
            // gateway (on-share, then auth init; the same body sizes), run by 16 background workers (the outbox's
            // default MaxConcurrency). Its rate is what this machine can do with the HTTP work alone.
            var gateway = args.Require("gateway").TrimEnd('/');
            var work = System.Threading.Channels.Channel.CreateUnbounded<int>();
            var client = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("bench");
            var onShare = System.Text.Encoding.UTF8.GetBytes(new string('a', 230));
            var init = System.Text.Encoding.UTF8.GetBytes(new string('b', 260));
            for (var i = 0; i < 16; i++)
            {
                _ = Task.Run(async () =>
                {
                    await foreach (var _ in work.Reader.ReadAllAsync())
                    {
                        await PostAsync(client, gateway + "/v0.5/patients/profile/on-share", onShare);
                        await PostAsync(client, gateway + "/v0.5/users/auth/init", init);
                    }
                });
            }

            app.MapPost("/v0.5/patients/profile/share", async (HttpContext context) =>
            {
                await FastGateway.DrainAsync(context.Request);
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                work.Writer.TryWrite(0);
            });
        }
        else if (variant == "bare")
        {
            app.MapPost("/v0.5/patients/profile/share", async (HttpContext context) =>
            {
                await FastGateway.DrainAsync(context.Request);
                context.Response.StatusCode = StatusCodes.Status202Accepted;
            });
        }
        else
        {
            app.MapAbdmProfileShare();
        }

        app.MapGet("/_bench/gc", (HttpContext context) => context.Response.WriteAsync(
            FormattableString.Invariant($"allocated={GC.GetTotalAllocatedBytes(precise: false)} jit_ms={System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} heap={GC.GetTotalMemory(false)} server={System.Runtime.GCSettings.IsServerGC}")));

        await app.StartAsync();
        Console.Out.WriteLine($"{Program.ReadyMarker} {app.Urls.First()}");
        Console.Out.Flush();
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    private static async Task PostAsync(HttpClient client, string url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer bench-session-token");
        request.Headers.TryAddWithoutValidation("X-CM-ID", "sbx");
        try
        {
            using var response = await client.SendAsync(request);
        }
        catch (HttpRequestException)
        {
            // Counted by the gateway; nothing to do here.
        }
    }
}
