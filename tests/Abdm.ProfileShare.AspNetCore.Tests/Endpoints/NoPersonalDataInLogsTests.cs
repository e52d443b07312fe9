using System.Net;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

public sealed class NoPersonalDataInLogsTests
{
    [Fact]
    public async Task FullFlow_AtTraceLevel_LogsNoPatientDataTokensOrSecret()
    {
        await using var host = await ProfileShareTestHost.StartAsync(build: b => b.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging());
        const string name = "Synthetic Kavya Testpatient";
        const string abha = "91-0000-1111-2222";
        const string phr = "kavya.synthetic@sbx";
        const string mobile = "+91-9000000017";
        host.Gateway.Patients[phr] = (name, "F", "1990-01-01");
        var share = ProfileShareTestHost.SeedShare(healthId: phr, name: name);
        var patient = share["profile"]!["patient"]!;
        patient["healthIdNumber"] = abha;
        patient["yearOfBirth"] = 1990;
        patient["monthOfBirth"] = null;
        patient["dayOfBirth"] = null;
        patient["identifiers"] = new JsonArray(new JsonObject { ["type"] = "MOBILE", ["value"] = mobile });

        using var response = await host.ShareAsync(share);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        var confirm = Assert.Single(host.Gateway.CallsTo("/v0.5/users/auth/confirm"));
        Assert.Equal(mobile, confirm.Get("credential", "demographic", "identifier", "value"));
        var linkingToken = (await host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, phr))!.Token;

        var records = host.App.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        Assert.NotEmpty(records);
        Assert.Contains(records, r => r.Level == LogLevel.Trace || r.Level == LogLevel.Debug);
        var forbidden = new[] { name, "Kavya", abha, "91000011112222", phr, "kavya.synthetic", mobile, "9000000017", linkingToken, FakeGateway.SessionToken, "test-secret-value" };
        foreach (var record in records)
        {
            var text = string.Join("\n", new[] { record.Message, record.Exception?.ToString(), record.Category }
                .Concat(record.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? []));
            foreach (var secret in forbidden)
            {
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"A log record of {record.Category} (event {record.Id}) contains protected data.");
            }
        }
    }
}
