using System.Net;
using System.Security.Cryptography;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

public sealed class SigningKeyRotationTests
{
    private static readonly string KeyA = TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Gateway, TestKeys.GatewayKid));
    private static readonly string KeyB = TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Rotated, TestKeys.RotatedKid));

    [Fact]
    public async Task Rotation_NewKid_AcceptedAfterExactlyOneRefetch()
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        using var warm = await app.PostAsync(app.ValidToken());
        Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);
        Assert.Equal(1, app.Jwks.Fetches);

        app.Jwks.Serve(KeyB);
        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);
        using var rotated = await app.PostAsync(SignedByB(app));

        Assert.Equal(HttpStatusCode.Accepted, rotated.StatusCode);
        Assert.Equal(2, app.Jwks.Fetches);
        Assert.Equal(2, app.Accepted.Count);
    }

    [Fact]
    public async Task Rotation_ConcurrentCallbacksWithNewKid_ShareOneFetch()
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        using (var warm = await app.PostAsync(app.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);
        }

        app.Jwks.Serve(KeyB);
        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Jwks.Gate = gate;
        var arrived = app.Jwks.FetchArrived;

        var token = SignedByB(app);
        var callbacks = Enumerable.Range(0, 25).Select(_ => app.PostAsync(token)).ToList();
        await arrived.WaitAsync(TimeSpan.FromSeconds(10));
        gate.SetResult();
        var responses = await Task.WhenAll(callbacks).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(2, app.Jwks.Fetches);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task UnknownKids_ThousandCallbacks_BoundedFetches()
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        using (var warm = await app.PostAsync(app.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);
        }

        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);
        var before = app.Jwks.Fetches;
        var now = app.Time.GetUtcNow();
        var signer = TestTokens.RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256);
        var tokens = Enumerable.Range(0, 1000)
            .Select(_ => TestTokens.Sign(TestTokens.Header("RS256", Guid.NewGuid().ToString("N")), TestTokens.Claims(now), signer))
            .ToList();

        var statuses = new List<HttpStatusCode>();
        foreach (var batch in tokens.Chunk(100))
        {
            var responses = await Task.WhenAll(batch.Select(t => app.PostAsync("Bearer " + t))).WaitAsync(TimeSpan.FromSeconds(20));
            statuses.AddRange(responses.Select(r => r.StatusCode));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }

        Assert.Equal(1000, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.InRange(app.Jwks.Fetches - before, 1, 2);
        Assert.InRange(app.Logs.GetSnapshot().Count(r => r.Id.Id == 2123), 1, 2); // "refetching" logged per fetch, not per token
        Assert.Empty(app.Accepted.Skip(1));

        // The known key is undisturbed.
        using var valid = await app.PostAsync(app.ValidToken());
        Assert.Equal(HttpStatusCode.Accepted, valid.StatusCode);
    }

    [Fact]
    public async Task UnknownKid_WithinRateLimitWindow_NoSecondFetch()
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        using var warm = await app.PostAsync(app.ValidToken());
        app.Jwks.Serve(KeyB);

        using var tooSoon = await app.PostAsync(SignedByB(app));
        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);
        using var afterWindow = await app.PostAsync(SignedByB(app));

        Assert.Equal(HttpStatusCode.Unauthorized, tooSoon.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, afterWindow.StatusCode);
        Assert.Equal(2, app.Jwks.Fetches);
    }

    [Fact]
    public async Task ScheduledRefresh_ServesKnownKeysAndDropsRevokedOnes()
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        using var warm = await app.PostAsync(app.ValidToken());
        app.Jwks.Serve(KeyB); // key A revoked

        app.Time.Advance(app.Callbacks.KeysRefreshInterval + TimeSpan.FromSeconds(1));
        using var duringRefresh = await app.PostAsync(app.ValidToken());
        await app.Jwt.Keys.PendingFetch.WaitAsync(TimeSpan.FromSeconds(10));
        using var afterRefreshA = await app.PostAsync(app.ValidToken());
        using var afterRefreshB = await app.PostAsync(SignedByB(app));

        Assert.Equal(HttpStatusCode.Accepted, duringRefresh.StatusCode);
        Assert.Equal(2, app.Jwks.Fetches);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRefreshA.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, afterRefreshB.StatusCode);
    }

    [Fact]
    public async Task ScheduledRefresh_KeyRevoked_TheSameCachedTokenRejectedOnceTheRefreshCompleted()
    {
        await using var app = await ProbeApp.StartAsync(o => o.Callbacks.KeysRefreshInterval = TimeSpan.FromMinutes(10), jwks: KeyA);
        var token = TestTokens.Rs256(TestTokens.Claims(app.Time.GetUtcNow(), TimeSpan.FromMinutes(20)));
        using var first = await app.PostAsync(token);
        app.Jwks.Serve(KeyB); // key A revoked

        app.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        using var duringRefresh = await app.PostAsync(token); // a cache hit; starts the due refresh
        await app.Jwt.Keys.PendingFetch.WaitAsync(TimeSpan.FromSeconds(10));
        using var afterRefresh = await app.PostAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, duringRefresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRefresh.StatusCode);
        Assert.Equal(2, app.Jwks.Fetches);
        Assert.Equal(1, app.Jwt.SignatureValidations);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 2100 && r.Message == "Gateway callback rejected: unknown signing key");
    }

    [Fact]
    public async Task GatewayDown_KnownKeysWorkDuringGraceAndFailAfter()
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        using var warm = await app.PostAsync(app.ValidToken());
        Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);
        app.Jwks.Down = true;
        var refresh = app.Callbacks.KeysRefreshInterval;
        var grace = app.Callbacks.StaleKeysGracePeriod;

        app.Time.Advance(refresh + TimeSpan.FromMinutes(1));
        using var stale = await app.PostAsync(app.ValidToken());
        await app.Jwt.Keys.PendingFetch.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Accepted, stale.StatusCode);
        Assert.Equal(2, app.Jwks.Fetches); // the background refresh was tried and failed
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 2122);

        app.Time.Advance(grace - TimeSpan.FromMinutes(2)); // just inside the grace period
        using var lateStale = await app.PostAsync(app.ValidToken());
        await app.Jwt.Keys.PendingFetch.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Accepted, lateStale.StatusCode);

        app.Time.Advance(TimeSpan.FromMinutes(2)); // grace over
        using var expired = await app.PostAsync(app.ValidToken());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, expired.StatusCode);
        Assert.Equal("30", expired.Headers.RetryAfter?.ToString());

        app.Jwks.Down = false; // recovery after the rate-limit window
        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);
        using var recovered = await app.PostAsync(app.ValidToken());
        Assert.Equal(HttpStatusCode.Accepted, recovered.StatusCode);
    }

    [Fact]
    public async Task GatewayDownAtStart_Answers503WithRetryAfterNot401Not500()
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        app.Jwks.Down = true;

        using var response = await app.PostAsync(app.ValidToken());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Equal(503, (await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync())).RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 2121);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 2105 && r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Empty(app.Accepted);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"keys\":[]}")]
    [InlineData("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"gw-a\",\"k\":\"c2VjcmV0\"}]}")]
    public async Task RefetchReturnsNoUsableKeys_KnownKeysKept(string jwks)
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        using var warm = await app.PostAsync(app.ValidToken());
        app.Jwks.Serve(jwks);
        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);

        using var unknown = await app.PostAsync(SignedByB(app)); // triggers the refetch
        using var known = await app.PostAsync(app.ValidToken());

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(2, app.Jwks.Fetches);
    }

    [Fact]
    public async Task RefetchAnswers500_KnownKeysKept()
    {
        await using var app = await ProbeApp.StartAsync(jwks: KeyA);
        using var warm = await app.PostAsync(app.ValidToken());
        app.Jwks.FailWith = HttpStatusCode.InternalServerError;
        app.Time.Advance(app.Callbacks.KeysRefetchMinInterval);

        using var unknown = await app.PostAsync(SignedByB(app));
        using var known = await app.PostAsync(app.ValidToken());

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
    }

    private static string SignedByB(ProbeApp app) =>
        TestTokens.Rs256(app.Time.GetUtcNow(), TestKeys.Rotated, TestKeys.RotatedKid);
}
