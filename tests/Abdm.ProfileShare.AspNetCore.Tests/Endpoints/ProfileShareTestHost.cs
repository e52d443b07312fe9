using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>Accepts exactly the token the fake gateway sends (the real verification has its own tests).</summary>
internal sealed class TestCallbackAuthenticator : IGatewayCallbackAuthenticator
{
    public ValueTask<CallbackAuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(request.Headers.Authorization.ToString() == "Bearer test-gateway-token"
            ? CallbackAuthenticationResult.Success
            : CallbackAuthenticationResult.Fail("The gateway token is missing or invalid."));
}

/// <summary>The SDK mapped into a minimal host on TestServer, its gateway faked over HTTP, its clock fake.</summary>
internal sealed class ProfileShareTestHost : IAsyncDisposable
{
    public const string HipId = "HIP-TEST-1";

    private ProfileShareTestHost(WebApplication app, FakeGateway gateway, FakeTimeProvider time)
    {
        App = app;
        Gateway = gateway;
        Time = time;
        Client = app.GetTestClient();
        gateway.Hip = Client;
    }

    public WebApplication App { get; }
    public FakeGateway Gateway { get; }
    public FakeTimeProvider Time { get; }
    public HttpClient Client { get; }
    public ICounterQueue Queue => App.Services.GetRequiredService<ICounterQueue>();
    public IProfileShareStore Store => App.Services.GetRequiredService<IProfileShareStore>();

    public static async Task<ProfileShareTestHost> StartAsync(Action<AbdmProfileShareOptions>? configure = null, Action<AbdmProfileShareBuilder>? build = null)
    {
        var gateway = new FakeGateway();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 4, 30, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IGatewayCallbackAuthenticator, TestCallbackAuthenticator>();
        var abdm = builder.Services.AddAbdmProfileShare(o =>
        {
            o.HipIds.Add(HipId);
            o.HipIds.Add("HIP-TEST-2");
            o.Gateway.BaseUrl = new Uri("https://gateway.test/gateway");
            o.Gateway.ClientId = "test-client";
            o.Gateway.ClientSecret = "test-secret-value";
            o.Resilience.MaxRetryAttempts = 0;
            o.Outbox.RetryBaseDelay = TimeSpan.FromSeconds(1);
            o.Outbox.RetryMaxDelay = TimeSpan.FromSeconds(4);
            configure?.Invoke(o);
        });
        abdm.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
        abdm.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
        build?.Invoke(abdm);

        var app = builder.Build();
        app.MapAbdmProfileShare();
        await app.StartAsync();
        return new ProfileShareTestHost(app, gateway, time);
    }

    /// <summary>The seed document's share example (profile.hipCode "12345 (CounterId)", patient test@sbx), with a synthetic MR value.</summary>
    public static JsonObject SeedShare(Guid? requestId = null, string counter = "12345 (CounterId)", string healthId = "test@sbx", string name = "Jane Doe") => new()
    {
        ["requestId"] = (requestId ?? Guid.NewGuid()).ToString(),
        ["timestamp"] = "2022-05-10T14:19:12.993Z",
        ["profile"] = new JsonObject
        {
            ["hipCode"] = counter,
            ["patient"] = new JsonObject
            {
                ["healthId"] = healthId,
                ["healthIdNumber"] = "1111-1111-1111-11",
                ["name"] = name,
                ["gender"] = "F",
                ["address"] = new JsonObject { ["line"] = "string", ["district"] = "string", ["state"] = "string", ["pincode"] = "string" },
                ["yearOfBirth"] = 2000,
                ["dayOfBirth"] = 27,
                ["monthOfBirth"] = 2,
                ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "MR", ["value"] = "MR-SYNTHETIC-0001" }),
            },
        },
    };

    /// <summary>A v3 share as the sandbox sends it (birth parts and coordinates as strings, nulls), synthetic values.</summary>
    public static JsonObject V3Share(string abhaAddress = "test.v3@sbx", string counter = "OPD1", string? abhaNumber = null) => new()
    {
        ["intent"] = "PROFILE_SHARE",
        ["metaData"] = new JsonObject { ["hipId"] = HipId, ["context"] = counter, ["hprId"] = null, ["latitude"] = "12.97", ["longitude"] = "77.71" },
        ["profile"] = new JsonObject
        {
            ["patient"] = new JsonObject
            {
                ["abhaNumber"] = abhaNumber,
                ["abhaAddress"] = abhaAddress,
                ["name"] = "Jane Doe",
                ["gender"] = "F",
                ["dayOfBirth"] = "6",
                ["monthOfBirth"] = "6",
                ["yearOfBirth"] = "2000",
                ["address"] = new JsonObject { ["line"] = null, ["district"] = "Test District", ["state"] = "Test State", ["pincode"] = "641050" },
                ["phoneNumber"] = null,
            },
        },
    };

    public Task<HttpResponseMessage> ShareAsync(JsonNode body, string path = "/v0.5/patients/profile/share", string? hipId = null) =>
        Gateway.PostToHipAsync(path, body, hipId);

    /// <summary>Waits (without sleeping: on the store's change feed) until entry <paramref name="entryId"/> satisfies <paramref name="condition"/>.</summary>
    public Task<QueueEntry> WaitForEntryAsync(Guid entryId, Func<QueueEntry, bool> condition, TimeSpan? timeout = null) =>
        WaitAsync(async () => await Store.GetEntryAsync(entryId) is { } e && condition(e) ? e : null, timeout);

    /// <summary>Waits until an active entry of the HIP satisfies <paramref name="condition"/>.</summary>
    public Task<QueueEntry> WaitForActiveEntryAsync(Func<QueueEntry, bool> condition, string hipId = HipId, TimeSpan? timeout = null) =>
        WaitAsync(async () => (await Queue.ListAsync(hipId, null)).FirstOrDefault(condition), timeout);

    private async Task<QueueEntry> WaitAsync(Func<Task<QueueEntry?>> probe, TimeSpan? timeout)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        var changes = Store.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var pending = changes.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                if (await probe() is { } found)
                {
                    return found;
                }

                if (!await pending)
                {
                    throw new TimeoutException("The change feed ended.");
                }

                pending = changes.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No queue entry reached the expected state in time.");
        }
        finally
        {
            await cts.CancelAsync();
            try
            {
                await pending;
            }
            catch (OperationCanceledException)
            {
            }

            await changes.DisposeAsync();
        }
    }

    /// <summary>
    /// Stops and disposes the app, failing (rather than hanging the test run) when that takes longer than 30 s: with the
    /// fake clock, anything that waits on time while the host ends would wait forever.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await App.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException("The test host did not stop and dispose within 30 s: something still running waits on the fake clock.", ex);
        }
    }
}
