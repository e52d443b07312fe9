using System.Net;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Sdk;

namespace Abdm.ProfileShare.Tests.Gateway;

/// <summary>
/// The client secret, session tokens and patient data never reach a log, whatever happens. (Every test that uses
/// <see cref="GatewayHarness"/> also checks this when it disposes the harness.)
/// </summary>
public sealed class GatewayLoggingTests
{
    private const string Mobile = "+91-9000000001";

    [Fact]
    public async Task Logs_EveryOperationSuccessRefusalRetryAndFailureAtTraceLevel_HoldNoSecretTokenOrPatientData()
    {
        await using var h = GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 1, fakeTime: false);
        h.NeverLog("test@sbx", "Jane Doe", Mobile, "1111-1111-1111-11");
        h.Gateway.On("/v0.5/patients/profile/on-share", (HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.Accepted, null));
        h.Gateway.On("/v1.0/patients/profile/on-share", (HttpStatusCode.BadRequest, """{"error":{"code":1000,"message":"Invalid request"}}"""));
        h.Gateway.On("/v0.5/users/auth/init",
            (HttpStatusCode.Unauthorized, """{"fault":{"code":900901,"message":"Invalid Credentials","description":"Invalid Credentials"}}"""),
            (HttpStatusCode.Accepted, null));
        h.Gateway.On("/v0.5/users/auth/confirm", FakeGateway.Throw(new HttpRequestException("Connection refused")));
        h.Gateway.On("/v0.5/certs", (HttpStatusCode.OK, Fixtures.Text("Wire/certs.json")));

        await h.Client.SendShareAcknowledgementAsync(new ShareAcknowledgement
        {
            RequestId = Guid.NewGuid(), ShareRequestId = Guid.NewGuid(), HealthId = "test@sbx", WireVersion = WireVersion.V05, Success = true,
        });
        await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.SendShareAcknowledgementAsync(new ShareAcknowledgement
        {
            RequestId = Guid.NewGuid(), ShareRequestId = Guid.NewGuid(), HealthId = "test@sbx", WireVersion = WireVersion.V10, Success = true, TokenNumber = "3",
        }));
        await h.Client.InitLinkingAuthAsync(new LinkingAuthInit { RequestId = Guid.NewGuid(), HealthId = "test@sbx", HipId = GatewayHarness.HipId });
        await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.ConfirmDemographicAuthAsync(new DemographicAuthConfirm
        {
            RequestId = Guid.NewGuid(),
            TransactionId = "ee1d6495-96a3-4fb6-a0fc-f5b33e3e0434",
            Profile = new SharedPatientProfile
            {
                HealthId = "test@sbx", AbhaNumber = "1111-1111-1111-11", Name = "Jane Doe", Gender = Gender.Female, YearOfBirth = 2000,
                Mobile = Mobile, Identifiers = [new("MOBILE", Mobile)],
            },
        }));
        await h.Client.GetCertsAsync();

        var logs = h.Logs.GetSnapshot();
        var ids = logs.Select(l => l.Id.Id).ToHashSet();
        Assert.Contains(1000, ids); // session token obtained
        Assert.Contains(1003, ids); // token refused, retried
        Assert.Contains(1011, ids); // rejected (400)
        Assert.Contains(1012, ids); // unreachable
        Assert.Contains(logs, l => l.Level == LogLevel.Trace || l.Level == LogLevel.Debug);
        h.AssertNothingSensitiveLogged();
    }

    [Fact]
    public async Task Logs_SuccessfulAndRetriedCalls_NoResilienceLineAtInformationOrAbove()
    {
        await using var h = GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 2, fakeTime: false);
        h.Gateway.On("/v0.5/patients/profile/on-share", (HttpStatusCode.Accepted, null), (HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.Accepted, null));

        for (var i = 0; i < 2; i++)
        {
            await h.Client.SendShareAcknowledgementAsync(new ShareAcknowledgement
            {
                RequestId = Guid.NewGuid(), ShareRequestId = Guid.NewGuid(), HealthId = "test@sbx", WireVersion = WireVersion.V05, Success = true,
            });
        }

        // Polly's per-attempt and per-retry events are Debug for the gateway pipelines: the library reports outages itself.
        var polly = h.Logs.GetSnapshot().Where(l => l.Category?.StartsWith("Polly", StringComparison.Ordinal) == true).ToList();
        Assert.Contains(polly, l => l.Level == LogLevel.Debug && l.Message.Contains("Execution attempt", StringComparison.Ordinal));
        Assert.DoesNotContain(polly, l => l.Level >= LogLevel.Information);
    }

    [Fact]
    public async Task Logs_SessionsRefusesTheSecret_HoldNoSecret()
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.SessionResponder = (_, _) => Task.FromResult(FakeGateway.Response(HttpStatusCode.Unauthorized,
            """{"error":{"code":1000,"message":"Invalid client secret test-client-secret-7c1d9e"}}"""));

        await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Tokens.GetAccessTokenAsync().AsTask());

        Assert.Contains(h.Logs.GetSnapshot(), l => l.Id.Id == 1001);
        h.AssertNothingSensitiveLogged();
    }

    [Fact]
    public async Task AssertNothingSensitiveLogged_ATokenInALog_Fails()
    {
        var h = GatewayHarness.Create();
        try
        {
            var token = await h.Tokens.GetAccessTokenAsync();
#pragma warning disable CA1848 // a deliberate leak, logged the simple way
            h.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Probe").LogInformation("leaked {Token}", token);
#pragma warning restore CA1848

            Assert.Throws<FalseException>(h.AssertNothingSensitiveLogged);
        }
        finally
        {
            h.Logs.Clear();
            await h.DisposeAsync();
        }
    }
}
