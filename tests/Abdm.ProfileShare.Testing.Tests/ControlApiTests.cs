using System.Text.Json.Nodes;

namespace Abdm.ProfileShare.Testing.Tests;

public sealed class ControlApiTests
{
    [Fact]
    public async Task ControlScan_HipAnswersOnShare_ReturnsWhatThePhoneShows()
    {
        await using var bed = await TestBed.StartAsync(o => o.EnableControlApi = true);
        bed.Hip.OnReceived = async call =>
        {
            if (call.Path.EndsWith("/v1.0/patients/profile/share", StringComparison.Ordinal))
            {
                var body = new JsonObject
                {
                    ["requestId"] = Guid.NewGuid().ToString(),
                    ["timestamp"] = "2026-01-15T10:00:00.000Z",
                    ["acknowledgement"] = new JsonObject { ["status"] = "SUCCESS", ["healthId"] = (string?)call.Body["profile"]!["patient"]!["healthId"], ["tokenNumber"] = "42" },
                    ["resp"] = new JsonObject { ["requestId"] = (string?)call.Body["requestId"] },
                };
                using var response = await bed.PostAsync("v1.0/patients/profile/on-share", body);
            }
        };
        using var control = new HttpClient { BaseAddress = bed.Gateway.RootUrl, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await control.PostAsync("_simulator/scan", TestBed.Json(new JsonObject { ["hipId"] = TestBed.HipId, ["counter"] = "C1", ["patientIndex"] = 3, ["version"] = "v1.0" }));

        Assert.Equal(200, (int)response.StatusCode);
        var result = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("SUCCESS", (string?)result["outcome"]);
        Assert.Equal("42", (string?)result["tokenNumber"]);
        Assert.Equal(202, (int)result["hipStatus"]!);
        Assert.Equal(3, (int)result["patientIndex"]!);
        Assert.Equal(SyntheticPatients.All[3].HealthId, (string?)result["healthId"]);
        var journal = JsonNode.Parse(await control.GetStringAsync("_simulator/journal"))!.AsArray();
        Assert.Contains(journal, e => (string?)e!["operation"] == "OnShare" && (int?)e["statusCode"] == 202);
    }

    [Fact]
    public async Task ControlScan_V3_HipAnswersV3OnShare_ReturnsTokenAndExpiry()
    {
        await using var bed = await TestBed.StartAsync(o => o.EnableControlApi = true);
        bed.Hip.OnReceived = async call =>
        {
            if (call.Path.EndsWith("/api/v3/hip/patient/share", StringComparison.Ordinal))
            {
                var body = new JsonObject
                {
                    ["acknowledgement"] = new JsonObject
                    {
                        ["abhaAddress"] = (string?)call.Body["profile"]!["patient"]!["abhaAddress"],
                        ["status"] = "SUCCESS",
                        ["profile"] = new JsonObject { ["context"] = (string?)call.Body["metaData"]!["context"], ["tokenNumber"] = "9", ["expiry"] = 1800 },
                    },
                    ["response"] = new JsonObject { ["requestId"] = call.Headers["REQUEST-ID"] },
                };
                using var response = await bed.SendV3Async(TestBed.OnShareV3(body));
            }
        };
        using var control = new HttpClient { BaseAddress = bed.Gateway.RootUrl, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await control.PostAsync("_simulator/scan", TestBed.Json(new JsonObject { ["hipId"] = TestBed.HipId, ["counter"] = "C1", ["patientIndex"] = 5, ["version"] = "v3" }));

        Assert.Equal(200, (int)response.StatusCode);
        var result = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("SUCCESS", (string?)result["outcome"]);
        Assert.Equal("v3", (string?)result["version"]);
        Assert.Equal("9", (string?)result["tokenNumber"]);
        Assert.Equal(1800, (double)result["expiry"]!);
        Assert.Equal(SyntheticPatients.All[5].HealthId, (string?)result["healthId"]);
    }

    [Fact]
    public async Task ControlScan_NoOnShare_ReportsTimeout()
    {
        await using var bed = await TestBed.StartAsync(o => o.EnableControlApi = true);
        using var control = new HttpClient { BaseAddress = bed.Gateway.RootUrl, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await control.PostAsync("_simulator/scan", TestBed.Json(new JsonObject { ["hipId"] = TestBed.HipId, ["counter"] = "C1", ["timeoutSeconds"] = 1 }));

        var result = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("TIMEOUT", (string?)result["outcome"]);
        Assert.Equal("v0.5", (string?)result["version"]);
    }

    [Theory]
    [InlineData("{\"counter\":\"C1\"}")]
    [InlineData("{\"hipId\":\"HIP-1\",\"counter\":\"C1\",\"version\":\"v2\"}")]
    [InlineData("{\"hipId\":\"HIP-1\",\"counter\":\"C1\",\"patientIndex\":99}")]
    [InlineData("{\"hipId\":\"HIP-NOPE\",\"counter\":\"C1\"}")]
    public async Task ControlScan_BadRequest_Returns400WithReason(string body)
    {
        await using var bed = await TestBed.StartAsync(o => o.EnableControlApi = true);
        using var control = new HttpClient { BaseAddress = bed.Gateway.RootUrl };

        using var response = await control.PostAsync("_simulator/scan", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]));
    }

    [Fact]
    public async Task ControlApi_Disabled_NotMapped()
    {
        await using var bed = await TestBed.StartAsync();
        using var control = new HttpClient { BaseAddress = bed.Gateway.RootUrl };

        using var response = await control.PostAsync("_simulator/scan", TestBed.Json(new JsonObject { ["hipId"] = TestBed.HipId, ["counter"] = "C1" }));

        Assert.Equal(404, (int)response.StatusCode);
    }
}
