using System.Net;
using System.Text;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Tests.TestSupport;

namespace Abdm.ProfileShare.Tests.Gateway;

/// <summary>The gateway session token: cached, refreshed early, single-flight, dropped and renewed when refused.</summary>
public sealed class GatewaySessionTokenTests
{
    private const string Sessions = "/v0.5/sessions";
    private const string AuthInit = "/v0.5/users/auth/init";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GetAccessTokenAsync_CalledTwice_RequestsOneSession()
    {
        await using var h = GatewayHarness.Create();

        var first = await h.Tokens.GetAccessTokenAsync();
        var second = await h.Tokens.GetAccessTokenAsync();

        Assert.Equal(FakeGateway.AccessToken(1), first);
        Assert.Equal(first, second);
        Assert.Equal(1, h.Gateway.CallsTo(Sessions));
    }

    [Fact]
    public async Task Operations_Consecutive_ShareOneSessionToken()
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.On(AuthInit, (HttpStatusCode.Accepted, null));

        await h.Client.InitLinkingAuthAsync(Init());
        await h.Client.InitLinkingAuthAsync(Init());

        Assert.Equal(1, h.Gateway.CallsTo(Sessions));
        Assert.All(h.Gateway.RequestsTo(AuthInit), r => Assert.Equal("Bearer " + FakeGateway.AccessToken(1), r.Authorization));
    }

    [Fact]
    public async Task GetAccessTokenAsync_ClockPassesExpiresInMinusRefreshMargin_FetchesANewToken()
    {
        await using var h = GatewayHarness.Create(o => o.Gateway.SessionRefreshMargin = TimeSpan.FromSeconds(60));
        h.Gateway.SessionExpiresInSeconds = 1800;

        Assert.Equal(FakeGateway.AccessToken(1), await h.Tokens.GetAccessTokenAsync());

        h.Time!.Advance(TimeSpan.FromSeconds(1800 - 60) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(FakeGateway.AccessToken(1), await h.Tokens.GetAccessTokenAsync());
        Assert.Equal(1, h.Gateway.CallsTo(Sessions));

        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(FakeGateway.AccessToken(2), await h.Tokens.GetAccessTokenAsync());
        Assert.Equal(2, h.Gateway.CallsTo(Sessions));
    }

    [Fact]
    public async Task GetAccessTokenAsync_NoExpiresInButJwtExp_RefreshesBeforeTheJwtExpires()
    {
        await using var h = GatewayHarness.Create(o => o.Gateway.SessionRefreshMargin = TimeSpan.FromSeconds(60));
        var exp = GatewayHarness.Start.AddSeconds(600).ToUnixTimeSeconds();
        h.Gateway.SessionResponder = (n, _) =>
        {
            var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"sub":"test","exp":{{exp + ((n - 1) * 10_000)}}}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            return Task.FromResult(FakeGateway.Response(HttpStatusCode.OK, $$"""{"accessToken":"eyJhbGciOiJub25lIn0.{{payload}}.test-access-token-{{n}}"}"""));
        };

        var first = await h.Tokens.GetAccessTokenAsync();
        // exp has whole seconds: the token lives 599.963 s from Start (2022-05-11T04:58:00.037Z).
        h.Time!.Advance(TimeSpan.FromSeconds(600 - 60 - 1));
        Assert.Equal(first, await h.Tokens.GetAccessTokenAsync());
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotEqual(first, await h.Tokens.GetAccessTokenAsync());
        Assert.Equal(2, h.Gateway.CallsTo(Sessions));
    }

    [Fact]
    public async Task GetAccessTokenAsync_HundredConcurrentCallers_RequestOneSession()
    {
        await using var h = GatewayHarness.Create();
        var sessionReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Gateway.SessionResponder = async (n, _) =>
        {
            sessionReached.TrySetResult();
            await release.Task;
            return h.Gateway.SessionOk(n);
        };

        const int Callers = 100;
        var waiting = 0;
        var allWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            var pending = h.Tokens.GetAccessTokenAsync();
            if (Interlocked.Increment(ref waiting) == Callers)
            {
                allWaiting.TrySetResult();
            }

            return await pending;
        })).ToArray();

        await allWaiting.Task.WaitAsync(Wait);
        await sessionReached.Task.WaitAsync(Wait);
        release.SetResult();
        var tokens = await Task.WhenAll(callers).WaitAsync(Wait);

        Assert.All(tokens, t => Assert.Equal(FakeGateway.AccessToken(1), t));
        Assert.Equal(1, h.Gateway.CallsTo(Sessions));
    }

    [Fact]
    public async Task GetAccessTokenAsync_OneWaiterCancels_OthersStillGetTheSharedToken()
    {
        await using var h = GatewayHarness.Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Gateway.SessionResponder = async (n, _) =>
        {
            await release.Task;
            return h.Gateway.SessionOk(n);
        };

        using var cancel = new CancellationTokenSource();
        var cancelled = h.Tokens.GetAccessTokenAsync(cancel.Token).AsTask();
        var patient = h.Tokens.GetAccessTokenAsync().AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Wait));

        release.SetResult();
        Assert.Equal(FakeGateway.AccessToken(1), await patient.WaitAsync(Wait));
        Assert.Equal(1, h.Gateway.CallsTo(Sessions));
    }

    [Fact]
    public async Task GetAccessTokenAsync_SessionCallFailed_IsNotCachedAndTheNextCallRetries()
    {
        await using var h = GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 0);
        h.Gateway.SessionResponder = (n, _) => Task.FromResult(n == 1
            ? FakeGateway.Response(HttpStatusCode.InternalServerError, """{"error":{"code":2500,"message":"Unknown error occurred"}}""")
            : h.Gateway.SessionOk(n));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Tokens.GetAccessTokenAsync().AsTask());
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Equal("2500", error.ErrorCode);

        Assert.Equal(FakeGateway.AccessToken(2), await h.Tokens.GetAccessTokenAsync());
    }

    [Fact]
    public async Task Operation_GatewayAnswers401_DropsTheTokenAndRetriesOnceWithANewToken()
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.On(AuthInit, (HttpStatusCode.Unauthorized, """{"error":{"code":1000,"message":"Unauthorized"}}"""), (HttpStatusCode.Accepted, null));

        await h.Client.InitLinkingAuthAsync(Init());

        Assert.Equal(2, h.Gateway.CallsTo(Sessions));
        Assert.Equal(
            ["Bearer " + FakeGateway.AccessToken(1), "Bearer " + FakeGateway.AccessToken(2)],
            h.Gateway.RequestsTo(AuthInit).Select(r => r.Authorization));
        Assert.Single(h.Gateway.RequestsTo(AuthInit).Select(r => r.Body).Distinct());
        Assert.Equal(FakeGateway.AccessToken(2), await h.Tokens.GetAccessTokenAsync());
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.BadRequest)]
    public async Task Operation_Wso2InvalidCredentialsFault_DropsTheTokenAndRetriesOnceWithANewToken(HttpStatusCode status)
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.On(AuthInit,
            (status, """{"fault":{"code":900901,"message":"Invalid Credentials","description":"Invalid Credentials. Make sure you have provided the correct security credentials"}}"""),
            (HttpStatusCode.Accepted, null));

        await h.Client.InitLinkingAuthAsync(Init());

        Assert.Equal(2, h.Gateway.CallsTo(Sessions));
        Assert.Equal(2, h.Gateway.CallsTo(AuthInit));
        Assert.Equal("Bearer " + FakeGateway.AccessToken(2), h.Gateway.RequestsTo(AuthInit)[1].Authorization);
    }

    [Fact]
    public async Task Operation_Wso2FaultWithStringCode_IsRecognisedAsRefusedToken()
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.On(AuthInit,
            (HttpStatusCode.Unauthorized, """{"code":"900901","message":"Invalid Credentials","description":"..."}"""),
            (HttpStatusCode.Accepted, null));

        await h.Client.InitLinkingAuthAsync(Init());

        Assert.Equal(2, h.Gateway.CallsTo(AuthInit));
    }

    [Fact]
    public async Task Operation_OtherClientError_IsNotRetriedWithANewToken()
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.On(AuthInit, (HttpStatusCode.Forbidden, """{"fault":{"code":900908,"message":"Resource forbidden","description":"API subscription not set up"}}"""));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("900908", error.ErrorCode);
        Assert.Equal(1, h.Gateway.CallsTo(Sessions));
        Assert.Equal(1, h.Gateway.CallsTo(AuthInit));
    }

    [Fact]
    public async Task Operation_RefusedAgainWithTheNewToken_ThrowsAfterExactlyOneRetry()
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.On(AuthInit, (HttpStatusCode.Unauthorized, """{"error":{"code":1000,"message":"Unauthorized"}}"""));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.Equal(2, h.Gateway.CallsTo(Sessions));
        Assert.Equal(2, h.Gateway.CallsTo(AuthInit));
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":{"code":1000,"message":"Invalid client credentials"}}""")]
    [InlineData(HttpStatusCode.Unauthorized, """{"fault":{"code":900901,"message":"Invalid Credentials","description":"Make sure you have provided the correct security credentials"}}""")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":{"code":1000,"message":"Invalid client secret test-client-secret-7c1d9e for test-client-id"}}""")]
    public async Task Operation_SessionsRefusesTheClientSecret_ThrowsNamingTheKeysWithoutTheSecret(HttpStatusCode status, string body)
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.SessionResponder = (_, _) => Task.FromResult(FakeGateway.Response(status, body));
        h.Gateway.On(AuthInit, (HttpStatusCode.Accepted, null));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Contains("AbdmProfileShare:Gateway:ClientId", error.Message, StringComparison.Ordinal);
        Assert.Contains("AbdmProfileShare:Gateway:ClientSecret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayHarness.ClientSecret, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayHarness.ClientSecret, error.GatewayMessage ?? "", StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(0, h.Gateway.CallsTo(AuthInit));
        Assert.Equal(1, h.Gateway.CallsTo(Sessions));
    }

    private static LinkingAuthInit Init() => new() { RequestId = Guid.NewGuid(), HealthId = "test@sbx", HipId = GatewayHarness.HipId };
}
