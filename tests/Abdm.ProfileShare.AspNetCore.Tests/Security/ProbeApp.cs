using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Endpoints.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.AspNetCore.Security.Internal;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>
/// A TestServer app with one probe callback endpoint wired like the real ones: authenticate with
/// <see cref="GatewayCallbackAuthentication.Create"/> (refusing as the share endpoints do, with
/// <see cref="CallbackEndpoints.RefuseAsync"/>), read the body with <see cref="CallbackBodyReader"/> and the inbox's
/// <see cref="IProfileShareInbox.ReadShare"/>, answer 202 and record what was read (nothing is persisted). The certs HttpClient talks to a <see cref="FakeJwksHandler"/>.
/// </summary>
internal sealed class ProbeApp : IAsyncDisposable
{
    public const string Path = "/v0.5/patients/profile/share";
    public const string HipId = "HIP-SYNTHETIC-1";
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    private ProbeApp(WebApplication app, FakeTimeProvider time, FakeJwksHandler jwks, IGatewayCallbackAuthenticator authenticator)
    {
        App = app;
        Time = time;
        Jwks = jwks;
        Authenticator = authenticator;
        Logs = app.Services.GetFakeLogCollector();
    }

    public WebApplication App { get; }

    public HttpClient Client { get; private set; } = null!;

    public FakeTimeProvider Time { get; }

    public FakeJwksHandler Jwks { get; }

    public FakeLogCollector Logs { get; }

    public IGatewayCallbackAuthenticator Authenticator { get; }

    public GatewayJwtCallbackAuthenticator Jwt => (GatewayJwtCallbackAuthenticator)Authenticator;

    public ConcurrentQueue<ReceivedShare> Accepted { get; } = new();

    public CallbackOptions Callbacks => App.Services.GetRequiredService<IOptions<AbdmProfileShareOptions>>().Value.Callbacks;

    public static async Task<ProbeApp> StartAsync(
        Action<AbdmProfileShareOptions>? configure = null,
        string environment = "Development",
        string? jwks = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFakeLogging();

        var time = new FakeTimeProvider(Start);
        var handler = new FakeJwksHandler(jwks ?? TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Gateway, TestKeys.GatewayKid)));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAbdmProfileShare(o =>
        {
            o.HipIds.Add(HipId);
            o.Gateway.BaseUrl = new Uri("https://gateway.abdm.test");
            o.Gateway.ClientId = "synthetic-client";
            o.Gateway.ClientSecret = "synthetic-secret-not-real";
            o.Resilience.MaxRetryAttempts = 0; // the fake clock would hold retry delays forever
            configure?.Invoke(o);
        });
        builder.Services.AddHttpClient(GatewayEndpoints.CertsClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        services?.Invoke(builder.Services);

        var app = builder.Build();
        var authenticator = GatewayCallbackAuthentication.Create(app.Services);
        var probe = new ProbeApp(app, time, handler, authenticator);
        var limits = probe.Callbacks;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<ProbeApp>();
        var inbox = app.Services.GetRequiredService<IProfileShareInbox>();
        app.MapPost(Path, async context =>
        {
            var auth = await authenticator.AuthenticateAsync(context.Request, context.RequestAborted);
            if (!auth.Succeeded)
            {
                // As the share endpoints: 401 with a generic body (a late token too), 503 + Retry-After without keys.
                await CallbackEndpoints.RefuseAsync(context, auth, v3: false, logger);
                return;
            }

            var body = await CallbackBodyReader.ReadAsync(context.Request, limits, inbox,
                static (inbox, bytes) => inbox.ReadShare(WireVersion.V05, HipId, null, bytes), context.RequestAborted);
            if (body.StatusCode != 0)
            {
                await CallbackResponses.WriteErrorAsync(context, body.StatusCode, body.Error!);
                return;
            }

            probe.Accepted.Enqueue(body.Value!);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });

        await app.StartAsync();
        probe.Client = app.GetTestClient();
        return probe;
    }

    public Task<HttpResponseMessage> PostAsync(string? authorization, string? body = null, string contentType = "application/json") =>
        PostAsync(authorization, new StringContent(body ?? ValidBody, Encoding.UTF8), contentType);

    public Task<HttpResponseMessage> PostAsync(string? authorization, HttpContent content, string? contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = content };
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return Client.SendAsync(request);
    }

    /// <summary>A token the gateway would send now (RS256, gateway key).</summary>
    public string ValidToken() => TestTokens.Rs256(Time.GetUtcNow());

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>A valid v0.5 share body, obviously synthetic; "zzmarker" marks values that must never be echoed.</summary>
    public const string ValidBody = """
        {
          "requestId": "5f7a535d-a3fd-416b-b069-c97d021fbacd",
          "timestamp": "2026-11-28T09:00:00.000Z",
          "profile": {
            "hipCode": "counter-zzmarker-1",
            "patient": {
              "healthId": "zzmarker-synthetic@sbx",
              "healthIdNumber": "91-0000-0000-0001",
              "name": "Zzmarker Synthetic Patient",
              "gender": "F",
              "address": { "line": "1 Zzmarker Test Lane", "district": "Test District", "state": "Test State", "pincode": "000001" },
              "yearOfBirth": 1990,
              "dayOfBirth": 1,
              "monthOfBirth": 1,
              "identifiers": [ { "type": "MOBILE", "value": "+91-9000000001" } ]
            }
          }
        }
        """;
}
