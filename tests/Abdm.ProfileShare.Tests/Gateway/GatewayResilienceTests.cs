using System.Net;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Tests.TestSupport;
using Polly.CircuitBreaker;

namespace Abdm.ProfileShare.Tests.Gateway;

/// <summary>
/// Retries on transient failures only, the circuit breaker, and the errors callers get. Runs on the system clock
/// with a 1 ms retry delay.
/// </summary>
public sealed class GatewayResilienceTests
{
    private const string Sessions = "/v0.5/sessions";
    private const string AuthInit = "/v0.5/users/auth/init";
    private const string OnShare = "/v0.5/patients/profile/on-share";
    private static readonly Guid RequestId = Guid.Parse("28ac1de6-a2ce-4b8e-8afe-a97f7bb52b85");

    [Fact]
    public async Task Operation_503Then202_SucceedsAfterOneRetryWithTheSameMessage()
    {
        await using var h = GatewayHarness.Create(fakeTime: false);
        h.Gateway.On(AuthInit, (HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.Accepted, null));

        await h.Client.InitLinkingAuthAsync(Init());

        var calls = h.Gateway.RequestsTo(AuthInit);
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Body, calls[1].Body);
        Assert.Equal(calls[0].Authorization, calls[1].Authorization);
        Assert.Equal(1, h.Gateway.CallsTo(Sessions));
    }

    [Fact]
    public async Task Operation_ConnectionFailureThen202_SucceedsAfterOneRetry()
    {
        await using var h = GatewayHarness.Create(fakeTime: false);
        h.Gateway.On(AuthInit,
            FakeGateway.Throw(new HttpRequestException("Connection refused (gw.test:443)", null, HttpStatusCode.ServiceUnavailable)),
            FakeGateway.Answer(HttpStatusCode.Accepted));

        await h.Client.InitLinkingAuthAsync(Init());

        Assert.Equal(2, h.Gateway.CallsTo(AuthInit));
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Operation_TransientStatusThen202_IsRetried(HttpStatusCode status)
    {
        await using var h = GatewayHarness.Create(fakeTime: false);
        h.Gateway.On(OnShare, (status, null), (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Acknowledgement());

        Assert.Equal(2, h.Gateway.CallsTo(OnShare));
    }

    // ABDM-1022 / WSO2 throttling: asking again at once is what the gateway refuses; the outbox's backoff (and the
    // linking-request window for token requests) decides when the call is made again.
    [Fact]
    public async Task Operation_429_IsNotRetriedWithinTheCall_ButReportedTransient()
    {
        await using var h = GatewayHarness.Create(fakeTime: false);
        h.Gateway.On(OnShare, (HttpStatusCode.TooManyRequests, null), (HttpStatusCode.Accepted, null));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.SendShareAcknowledgementAsync(Acknowledgement()));

        Assert.Equal(1, h.Gateway.CallsTo(OnShare));
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Operation_400_IsNotRetriedAndThrowsWithTheGatewayErrorAndRequestId()
    {
        await using var h = GatewayHarness.Create(fakeTime: false);
        h.Gateway.On(AuthInit, (HttpStatusCode.BadRequest, """{"error":{"code":1000,"message":"Format mismatch of any of attributes"}}"""));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Equal(1, h.Gateway.CallsTo(AuthInit));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("1000", error.ErrorCode);
        Assert.Equal("Format mismatch of any of attributes", error.GatewayMessage);
        Assert.Equal(RequestId, error.RequestId);
        Assert.Equal(AuthInit, error.Operation);
        Assert.False(error.IsTransient);
        Assert.Contains(RequestId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("400", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operation_AlwaysUnavailable_ThrowsTransientAfterTheConfiguredRetries()
    {
        await using var h = GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 2, fakeTime: false);
        h.Gateway.On(AuthInit, (HttpStatusCode.ServiceUnavailable, """{"error":{"code":2500,"message":"Unknown error occurred"}}"""));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Equal(3, h.Gateway.CallsTo(AuthInit));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("2500", error.ErrorCode);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Operation_RetriesDisabled_SendsOnce()
    {
        await using var h = GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 0, fakeTime: false);
        h.Gateway.On(AuthInit, (HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.Accepted, null));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Equal(1, h.Gateway.CallsTo(AuthInit));
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Operation_ConnectionAlwaysFails_ThrowsTransientWithoutStatusAndWithTheCause()
    {
        await using var h = GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 1, fakeTime: false);
        h.Gateway.On(AuthInit, FakeGateway.Throw(new HttpRequestException("Connection refused")));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Equal(2, h.Gateway.CallsTo(AuthInit));
        Assert.Null(error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(RequestId, error.RequestId);
        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operation_AfterEnoughFailures_CircuitOpensAndTheNextCallFailsFastWithoutReachingTheGateway()
    {
        await using var h = GatewayHarness.Create(o =>
        {
            o.Resilience.MaxRetryAttempts = 1;
            o.Resilience.CircuitBreakerMinimumThroughput = 2;
            o.Resilience.CircuitBreakerFailureRatio = 0.5;
            o.Resilience.CircuitBreakerBreakDuration = TimeSpan.FromMinutes(1);
        }, fakeTime: false);
        h.Gateway.On(AuthInit, (HttpStatusCode.ServiceUnavailable, null));

        var first = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(2, h.Gateway.CallsTo(AuthInit));

        var fast = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Equal(2, h.Gateway.CallsTo(AuthInit));
        Assert.True(fast.IsTransient);
        Assert.Null(fast.StatusCode);
        Assert.IsAssignableFrom<BrokenCircuitException>(fast.InnerException);
        Assert.Equal(RequestId, fast.RequestId);
        Assert.Contains("circuit breaker is open", fast.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operation_ClientErrors_DoNotOpenTheCircuit()
    {
        await using var h = GatewayHarness.Create(o =>
        {
            o.Resilience.CircuitBreakerMinimumThroughput = 2;
            o.Resilience.CircuitBreakerFailureRatio = 0.5;
        }, fakeTime: false);
        h.Gateway.On(AuthInit, (HttpStatusCode.BadRequest, null), (HttpStatusCode.BadRequest, null), (HttpStatusCode.BadRequest, null), (HttpStatusCode.Accepted, null));

        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));
            Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        }

        await h.Client.InitLinkingAuthAsync(Init());
        Assert.Equal(4, h.Gateway.CallsTo(AuthInit));
    }

    [Fact]
    public async Task GetAccessTokenAsync_Sessions503Then200_IsRetried()
    {
        await using var h = GatewayHarness.Create(fakeTime: false);
        h.Gateway.SessionResponder = (n, _) => Task.FromResult(n == 1 ? FakeGateway.Response(HttpStatusCode.ServiceUnavailable) : h.Gateway.SessionOk(n));

        Assert.Equal(FakeGateway.AccessToken(2), await h.Tokens.GetAccessTokenAsync());
        Assert.Equal(2, h.Gateway.CallsTo(Sessions));
    }

    [Fact]
    public async Task Operation_SessionsUnreachable_ThrowsTransientGatewayException()
    {
        await using var h = GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 0, fakeTime: false);
        h.Gateway.SessionResponder = (_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused"));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.True(error.IsTransient);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(0, h.Gateway.CallsTo(AuthInit));
    }

    [Fact]
    public async Task Operation_CallerCancelled_ThrowsOperationCanceledNotAGatewayError()
    {
        await using var h = GatewayHarness.Create(fakeTime: false);
        h.Gateway.On(AuthInit, (HttpStatusCode.Accepted, null));

        var error = await Record.ExceptionAsync(() => h.Client.InitLinkingAuthAsync(Init(), new CancellationToken(canceled: true)));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(0, h.Gateway.CallsTo(AuthInit));
    }

    [Theory]
    [InlineData("""{"error":{"code":1000,"message":"Invalid request"}}""", "1000", "Invalid request")]
    [InlineData("""{"error":{"code":"ABDM-1006: ","message":"Bad Request"}}""", "ABDM-1006", "Bad Request")]
    [InlineData("""{"code":1500,"message":"Unknown error occurred"}""", "1500", "Unknown error occurred")]
    [InlineData("""{"code":"ABDM-1006: ","message":"Bad Request"}""", "ABDM-1006", "Bad Request")]
    [InlineData("""{"code":"ABDM-1006","message":"Bad Request"}""", "ABDM-1006", "Bad Request")]
    [InlineData("""{"fault":{"code":900908,"message":"Resource forbidden","description":"API subscription not set up"}}""", "900908", "Resource forbidden (API subscription not set up)")]
    [InlineData("""{"fault":{"code":"900908","message":"","description":"API subscription not set up"}}""", "900908", "API subscription not set up")]
    [InlineData("""{"error":null,"code":2500,"message":"Unknown error occurred"}""", "2500", "Unknown error occurred")]
    [InlineData("<html><body>Bad Request</body></html>", null, null)]
    [InlineData("", null, null)]
    [InlineData("[1,2]", null, null)]
    public async Task Operation_ErrorBodyShapes_CarryTheGatewayCodeAndMessage(string body, string? code, string? message)
    {
        await using var h = GatewayHarness.Create(fakeTime: false);
        h.Gateway.On(AuthInit, (HttpStatusCode.BadRequest, body));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.InitLinkingAuthAsync(Init()));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(message, error.GatewayMessage);
        if (code is not null)
        {
            Assert.Contains("code " + code, error.Message, StringComparison.Ordinal);
        }
    }

    private static LinkingAuthInit Init() => new() { RequestId = RequestId, HealthId = "test@sbx", HipId = GatewayHarness.HipId };

    private static ShareAcknowledgement Acknowledgement() => new()
    {
        RequestId = Guid.NewGuid(),
        ShareRequestId = Guid.NewGuid(),
        HealthId = "test@sbx",
        WireVersion = WireVersion.V05,
        Success = true,
    };
}
