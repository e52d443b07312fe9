using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Testing;

namespace Abdm.ProfileShare.FlowTests;

/// <summary>
/// The callback trust boundary over real HTTP: the simulator's session token (what every ABDM client gets from the
/// same realm, signed by the same key, with the same issuer and audience) is not the gateway's callback token.
/// </summary>
public sealed class CallbackSenderFlowTests
{
    [Fact]
    public async Task Share_PostedWithAHipClientsSessionToken_Refused401AndNothingStored()
    {
        await using var flow = await FlowHost.StartAsync();
        using var http = new HttpClient { Timeout = FlowHost.Wait };

        // The HIP client's own session, from the simulator's /v0.5/sessions: signed by the key the host trusts.
        using var session = await http.PostAsync(new Uri(flow.Gateway.BaseUrl.OriginalString + "/v0.5/sessions"),
            Json(new JsonObject { ["clientId"] = FlowHost.ClientId, ["clientSecret"] = FlowHost.ClientSecret }));
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        var accessToken = JsonNode.Parse(await session.Content.ReadAsStringAsync())!["accessToken"]!.GetValue<string>();

        using var share = new HttpRequestMessage(HttpMethod.Post, new Uri(flow.HostUrl, "v0.5/patients/profile/share")) { Content = Json(Share()) };
        share.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        share.Headers.TryAddWithoutValidation("X-HIP-ID", FlowHost.HipId);
        using var response = await http.SendAsync(share);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"error":{"code":401,"message":"Unauthorized"}}""", await response.Content.ReadAsStringAsync());
        Assert.Empty(await flow.Queue.ListAsync(FlowHost.HipId, null));
        Assert.Equal(0, (await flow.Store.GetOutboxStatisticsAsync()).Pending);
        Assert.Empty(flow.Gateway.Journal.Of(GatewayOperation.OnShare));

        // The simulator's own callbacks (the gateway's token: azp = clientId = gateway) still pass.
        var genuine = await flow.ScanAsync(SyntheticPatients.All[0]);
        Assert.Equal(202, genuine.HipStatusCode);
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static JsonObject Share() => new()
    {
        ["requestId"] = Guid.NewGuid().ToString(),
        ["timestamp"] = "2026-11-28T04:30:00.000Z",
        ["profile"] = new JsonObject
        {
            ["hipCode"] = "counter-1",
            ["patient"] = new JsonObject
            {
                ["healthId"] = "forged.session.synthetic@sbx",
                ["healthIdNumber"] = "91-0000-0000-0009",
                ["name"] = "Synthetic Forged Session",
                ["gender"] = "F",
                ["address"] = new JsonObject { ["line"] = "1 Test Lane", ["district"] = "Test District", ["state"] = "Test State", ["pincode"] = "000001" },
                ["yearOfBirth"] = 1990,
                ["dayOfBirth"] = 1,
                ["monthOfBirth"] = 1,
                ["identifiers"] = new JsonArray(),
            },
        },
    };
}
