using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.AspNetCore.Security.Internal;
using Abdm.ProfileShare.AspNetCore.Tests.Endpoints;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>
/// The real endpoints with the real callback authenticator (the default gateway-JWT one, its JWKS served by a
/// <see cref="FakeJwksHandler"/>) over the endpoint test host: the gateway is faked over HTTP (v0.5
/// <see cref="FakeGateway"/>, or <see cref="V3FakeGateway"/> with <c>v3</c>), the clock is fake, logs are captured.
/// </summary>
internal sealed class CallbackTrustHost : IAsyncDisposable
{
    public const string OwnClientId = "test-client"; // ProfileShareTestHost's Gateway:ClientId
    public const string OnInitPath = "/v0.5/users/auth/on-init";
    public const string OnConfirmPath = "/v0.5/users/auth/on-confirm";
    public const string OnGenerateTokenPath = "/api/v3/hip/token/on-generate-token";
    public const string ShareV05Path = "/v0.5/patients/profile/share";
    public const string ShareV3Path = "/api/v3/hip/patient/share";
    public const string AbhaAddress = "trust.v3@sbx";

    private CallbackTrustHost(ProfileShareTestHost host, FakeJwksHandler jwks, V3FakeGateway? v3, CountingLinkingHandler linking)
    {
        Host = host;
        Jwks = jwks;
        V3 = v3;
        Linking = linking;
        Logs = host.App.Services.GetFakeLogCollector();
        Metrics = host.App.Services.GetRequiredService<AbdmMetrics>();
    }

    public ProfileShareTestHost Host { get; }

    public FakeJwksHandler Jwks { get; }

    /// <summary>The v3 gateway, when started with <c>v3</c>.</summary>
    public V3FakeGateway? V3 { get; }

    public CountingLinkingHandler Linking { get; }

    /// <summary>The authenticator, when started with <c>exposeAuthenticator</c>.</summary>
    public GatewayJwtCallbackAuthenticator? Jwt => Host.App.Services.GetService<IGatewayCallbackAuthenticator>() as GatewayJwtCallbackAuthenticator;

    public FakeLogCollector Logs { get; }

    public AbdmMetrics Metrics { get; }

    public DateTimeOffset Now => Host.Time.GetUtcNow();

    /// <param name="v3">A v3 deployment (the v3 gateway fake; the JWKS fetch needs its session).</param>
    /// <param name="configure">Options on top of the test host's.</param>
    /// <param name="jwks">The JWKS served (default: the gateway key).</param>
    /// <param name="exposeAuthenticator">
    /// Register the default authenticator as a service (as <see cref="GatewayCallbackAuthentication.Create"/> builds it)
    /// so the test reaches its key cache (<see cref="Jwt"/>).
    /// </param>
    public static async Task<CallbackTrustHost> StartAsync(bool v3 = false, Action<AbdmProfileShareOptions>? configure = null, string? jwks = null, bool exposeAuthenticator = false)
    {
        var handler = new FakeJwksHandler(jwks ?? TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Gateway, TestKeys.GatewayKid)));
        var v3Gateway = v3 ? new V3FakeGateway() : null;
        var linking = new CountingLinkingHandler();
        var host = await ProfileShareTestHost.StartAsync(
            o =>
            {
                if (v3)
                {
                    o.WireVersion = WireVersion.V3;
                    o.Gateway.BaseUrl = new Uri(V3FakeGateway.BaseUrl);
                }

                configure?.Invoke(o);
            },
            b =>
            {
                b.Services.RemoveAll<IGatewayCallbackAuthenticator>(); // the default: gateway JWTs against the JWKS
                if (exposeAuthenticator)
                {
                    b.Services.AddSingleton<IGatewayCallbackAuthenticator>(sp =>
                        ActivatorUtilities.CreateInstance<GatewayJwtCallbackAuthenticator>(sp, ActivatorUtilities.CreateInstance<GatewaySigningKeyCache>(sp)));
                }

                b.Services.AddHttpClient(GatewayEndpoints.CertsClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
                b.Services.AddLogging(l => l.AddFakeLogging());
                b.Services.AddSingleton<ILinkingTokenHandler>(linking);
                if (v3Gateway is not null)
                {
                    b.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => v3Gateway);
                    b.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => v3Gateway);
                }
            });
        if (v3Gateway is not null)
        {
            v3Gateway.Hip = host.Client;
        }

        return new CallbackTrustHost(host, handler, v3Gateway, linking);
    }

    /// <summary>A callback token as the gateway issues it (azp = clientId = gateway, aud account), issued now.</summary>
    public string GatewayToken(TimeSpan? lifetime = null) => TestTokens.Rs256(TestTokens.Claims(Now, lifetime ?? TimeSpan.FromMinutes(20)));

    /// <summary>Posts a v0.5 callback (X-HIP-ID of the test host) with <paramref name="token"/>.</summary>
    public Task<HttpResponseMessage> PostV05Async(string path, JsonNode body, string token)
    {
        Host.Gateway.CallbackToken = "Bearer " + token;
        return Host.Gateway.PostToHipAsync(path, body);
    }

    /// <summary>Posts a v3 callback with <paramref name="token"/> and a fresh REQUEST-ID.</summary>
    public Task<HttpResponseMessage> PostV3Async(string path, JsonNode body, string token) =>
        V3!.PostToHipAsync(path, body, Guid.NewGuid().ToString(), authorization: "Bearer " + token);

    /// <summary>Moves fake time forward in steps, waking the outbox each time, until the entry's chain timed out.</summary>
    public async Task<QueueEntry> TimeOutChainAsync(Guid entryId)
    {
        var signal = Host.App.Services.GetRequiredService<OutboxSignal>();
        for (var i = 0; ; i++)
        {
            Host.Time.Advance(TimeSpan.FromMinutes(1));
            signal.Notify();
            try
            {
                return await Host.WaitForEntryAsync(entryId, e => e.Linking.State == LinkingState.TimedOut, TimeSpan.FromMilliseconds(500));
            }
            catch (TimeoutException) when (i < 30)
            {
            }
        }
    }

    /// <summary>
    /// v0.5: a share whose chain sent <c>users/auth/confirm</c> (on-init delivered with <paramref name="token"/>),
    /// whose on-confirm never came, and which timed out waiting for it.
    /// </summary>
    /// <returns>The entry and the confirm call's requestId.</returns>
    public async Task<(QueueEntry Entry, string ConfirmRequestId)> TimedOutConfirmAsync(string token)
    {
        Host.Gateway.CallbackToken = "Bearer " + token;
        Host.Gateway.DropOnConfirm = true;
        using (var share = await Host.ShareAsync(ProfileShareTestHost.SeedShare()))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, share.StatusCode);
        }

        var confirm = await Host.Gateway.WaitForAsync(c => c.Path == "/v0.5/users/auth/confirm");
        var entry = Assert.Single(await Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await WaitForTimeoutArmedAsync(entry.Id);
        var timedOut = await TimeOutChainAsync(entry.Id);
        return (timedOut, confirm.Get("requestId")!);
    }

    /// <summary>v3: a share whose generate-token was sent, never answered, and which timed out waiting.</summary>
    /// <returns>The entry and the generate-token call's REQUEST-ID.</returns>
    public async Task<(QueueEntry Entry, string TokenRequestId)> TimedOutGenerateTokenAsync(string token)
    {
        using (var share = await V3!.PostToHipAsync(ShareV3Path, V3Share(), Guid.NewGuid().ToString(), authorization: "Bearer " + token))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, share.StatusCode);
        }

        var generate = await V3.WaitForAsync(c => c.Path == V3FakeGateway.GenerateToken);
        var entry = Assert.Single(await Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await WaitForTimeoutArmedAsync(entry.Id);
        var timedOut = await TimeOutChainAsync(entry.Id);
        return (timedOut, generate.Header("REQUEST-ID")!);
    }

    /// <summary>Waits (on the change feed) until the call was sent and only the callback-timeout timers are pending (due later).</summary>
    public Task WaitForTimeoutArmedAsync(Guid entryId) =>
        Host.WaitForEntryAsync(entryId, _ =>
        {
            var stats = Host.Store.GetOutboxStatisticsAsync().GetAwaiter().GetResult();
            return stats.Pending >= 1 && stats.NextDueAt > Now;
        });

    public static JsonObject OnConfirm(string requestId, string? accessToken) => new()
    {
        ["requestId"] = Guid.NewGuid().ToString(),
        ["timestamp"] = "2026-11-28T04:30:01.654321",
        ["auth"] = accessToken is null ? null : new JsonObject { ["accessToken"] = accessToken, ["patient"] = null },
        ["error"] = accessToken is null ? new JsonObject { ["code"] = 1441, ["message"] = "Invalid auth confirm request." } : null,
        ["resp"] = new JsonObject { ["requestId"] = requestId },
    };

    public static JsonObject OnInit(string requestId) => new()
    {
        ["requestId"] = Guid.NewGuid().ToString(),
        ["timestamp"] = "2026-11-28T04:30:00.123456",
        ["auth"] = new JsonObject { ["transactionId"] = "txn-late-" + Guid.NewGuid().ToString("N"), ["mode"] = "DEMOGRAPHICS", ["meta"] = null },
        ["error"] = null,
        ["resp"] = new JsonObject { ["requestId"] = requestId },
    };

    public static JsonObject OnGenerateToken(string requestId, string? linkToken) => linkToken is null
        ? new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = "ABDM-1051: ", ["message"] = "Invalid ABHA Number or ABHA Address" },
            ["response"] = new JsonObject { ["requestId"] = requestId },
        }
        : new JsonObject
        {
            ["abhaAddress"] = AbhaAddress,
            ["linkToken"] = linkToken,
            ["response"] = new JsonObject { ["requestId"] = requestId },
        };

    /// <summary>A v3 share (synthetic values).</summary>
    public static JsonObject V3Share() => ProfileShareTestHost.V3Share(AbhaAddress);

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    /// <summary>Counts the host's linking notifications.</summary>
    internal sealed class CountingLinkingHandler : ILinkingTokenHandler
    {
        private int _received;
        private int _failed;

        public int ReceivedCount => Volatile.Read(ref _received);

        public int FailedCount => Volatile.Read(ref _failed);

        public TaskCompletionSource Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask OnLinkingTokenReceivedAsync(QueueEntry entry, LinkingTokenRecord token, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _received);
            Received.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask OnLinkingFailedAsync(QueueEntry entry, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _failed);
            return ValueTask.CompletedTask;
        }
    }
}
