using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>A running simulator, a fake HIP registered with it, and an HttpClient acting as the HIP's outbound side.</summary>
public sealed partial class TestBed : IAsyncDisposable
{
    public const string HipId = "HIP-1";
    public const string ClientId = "sim-client";
    public const string ClientSecret = "sim-secret-not-real";

    private string? _token;

    private TestBed(AbdmGatewaySimulator gateway, FakeHip hip)
    {
        Gateway = gateway;
        Hip = hip;
        Http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl.OriginalString + "/"), Timeout = TimeSpan.FromSeconds(10) };
        Root = new HttpClient { BaseAddress = gateway.RootUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public AbdmGatewaySimulator Gateway { get; }

    public FakeHip Hip { get; }

    public HttpClient Http { get; }

    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static async Task<TestBed> StartAsync(Action<GatewaySimulatorOptions>? configure = null)
    {
        var options = new GatewaySimulatorOptions { ClientId = ClientId, ClientSecret = ClientSecret };
        configure?.Invoke(options);
        var gateway = await AbdmGatewaySimulator.StartAsync(options);
        var hip = await FakeHip.StartAsync();
        gateway.RegisterHip(HipId, hip.BaseUrl);
        return new TestBed(gateway, hip);
    }

    public async Task<string> NewTokenAsync()
    {
        using var response = await Http.PostAsync("v0.5/sessions", Json(new JsonObject { ["clientId"] = ClientId, ["clientSecret"] = ClientSecret, ["grantType"] = "client_credentials" }));
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (string)body["accessToken"]!;
    }

    public async Task<string> TokenAsync() => _token ??= await NewTokenAsync();

    /// <summary>Posts as the HIP: a session token (unless <paramref name="authorization"/> is given; "" sends none) and X-CM-ID (unless null).</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string body, string? cmId = "sbx", string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        authorization ??= "Bearer " + await TokenAsync();
        if (authorization.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (cmId is not null)
        {
            request.Headers.Add("X-CM-ID", cmId);
        }

        return await Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, JsonNode body, string? cmId = "sbx", string? authorization = null) =>
        PostAsync(path, body.ToJsonString(), cmId, authorization);

    public async Task<(SimulatedShare Share, ReceivedCall Call)> ScanAsync(int patientIndex = 0, WireVersion version = WireVersion.V05, string counter = "counter-1")
    {
        var share = await Gateway.ScanAsync(new SimulatedScan(HipId, counter, SyntheticPatients.All[patientIndex], version));
        var call = await Hip.WaitForAsync("/patients/profile/share", Wait, c => (string?)c.Body["requestId"] == share.RequestId.ToString());
        return (share, call);
    }

    public static JsonObject OnShareBody(SimulatedShare share, string status = "SUCCESS", string? tokenNumber = "7") => new()
    {
        ["requestId"] = Guid.NewGuid().ToString(),
        ["timestamp"] = "2026-01-15T10:00:00.123Z",
        ["acknowledgement"] = share.Version == WireVersion.V10
            ? new JsonObject { ["status"] = status, ["healthId"] = share.HealthId, ["tokenNumber"] = tokenNumber }
            : new JsonObject { ["status"] = status, ["healthId"] = share.HealthId },
        ["error"] = status == "SUCCESS" ? null : new JsonObject { ["code"] = 1000, ["message"] = "Counter closed" },
        ["resp"] = new JsonObject { ["requestId"] = share.RequestId.ToString() },
    };

    public static string OnSharePath(SimulatedShare share) =>
        share.Version == WireVersion.V10 ? "v1.0/patients/profile/on-share" : "v0.5/patients/profile/on-share";

    public static JsonObject InitBody(string healthId, string hipId = HipId) => new()
    {
        ["requestId"] = Guid.NewGuid().ToString(),
        ["timestamp"] = "2026-01-15T10:00:01.123Z",
        ["query"] = new JsonObject
        {
            ["id"] = healthId,
            ["purpose"] = "LINK",
            ["authMode"] = "DEMOGRAPHICS",
            ["requester"] = new JsonObject { ["type"] = "HIP", ["id"] = hipId },
        },
    };

    public static JsonObject ConfirmBody(string transactionId, SharedPatientProfile patient, bool withMobile = true) => new()
    {
        ["requestId"] = Guid.NewGuid().ToString(),
        ["timestamp"] = "2026-01-15T10:00:02.123Z",
        ["transactionId"] = transactionId,
        ["credential"] = new JsonObject
        {
            ["demographic"] = new JsonObject
            {
                ["name"] = patient.Name,
                ["gender"] = patient.Gender switch { Gender.Male => "M", Gender.Female => "F", Gender.Other => "O", _ => "U" },
                ["dateOfBirth"] = patient.AuthDateOfBirth,
                ["identifier"] = withMobile && patient.Mobile is { } mobile ? new JsonObject { ["type"] = "MOBILE", ["value"] = mobile } : null,
            },
        },
    };

    /// <summary>Sends auth init for the patient and returns the on-init the fake HIP received.</summary>
    public async Task<ReceivedCall> InitAsync(SharedPatientProfile patient)
    {
        var body = InitBody(patient.HealthId);
        using var response = await PostAsync("v0.5/users/auth/init", body);
        Assert.Equal(202, (int)response.StatusCode);
        return await Hip.WaitForAsync("/users/auth/on-init", Wait, c => (string?)c.Body["resp"]?["requestId"] == (string?)body["requestId"]);
    }

    public async Task<string> TransactionAsync(SharedPatientProfile patient) => (string)(await InitAsync(patient)).Body["auth"]!["transactionId"]!;

    public async Task<JsonWebKeySet> JwksAsync() => new(await Http.GetStringAsync("v0.5/certs"));

    /// <summary>Validates a callback token as a HIP should: signature by a key in the published JWKS, issuer, audience account, lifetime.</summary>
    public async Task<TokenValidationResult> ValidateCallbackTokenAsync(string token) =>
        await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = (await JwksAsync()).GetSigningKeys(),
            ValidIssuer = Gateway.Issuer,
            ValidAudience = "account",
            ValidateLifetime = true,
            TryAllIssuerSigningKeys = false,
        });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Root.Dispose();
        await Gateway.DisposeAsync();
        await Hip.DisposeAsync();
    }

    public static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
