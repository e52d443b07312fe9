using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>The v3 side of the test bed: requests at the simulator's root with the v3 headers.</summary>
public sealed partial class TestBed
{
    /// <summary>An HttpClient on the simulator's root (where v3 lives).</summary>
    public HttpClient Root { get; }

    public static string Now() => DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Sends a v3 request as the HIP: the standard v3 headers and a session token unless the spec says otherwise.</summary>
    public async Task<HttpResponseMessage> SendV3Async(V3Request spec)
    {
        using var request = new HttpRequestMessage(spec.Method, spec.Path.TrimStart('/'));
        if (spec.Method != HttpMethod.Get)
        {
            request.Content = new StringContent(spec.Raw ?? spec.Body?.ToJsonString() ?? "", Encoding.UTF8, "application/json");
        }

        var authorization = spec.Authorization ?? "Bearer " + await TokenAsync();
        if (authorization.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var (name, value) in new[] { ("REQUEST-ID", spec.RequestId), ("TIMESTAMP", spec.Timestamp), ("X-CM-ID", spec.CmId), ("X-HIP-ID", spec.HipId) })
        {
            if (value is not null)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await Root.SendAsync(request);
    }

    public static JsonObject SessionBody(string clientId = ClientId, string clientSecret = ClientSecret) =>
        new() { ["clientId"] = clientId, ["clientSecret"] = clientSecret, ["grantType"] = "client_credentials" };

    public static V3Request V3Session() => new("api/hiecm/gateway/v3/sessions", SessionBody()) { Authorization = "" };

    /// <summary>A v3 session token (any 2xx).</summary>
    public async Task<string> NewV3TokenAsync()
    {
        using var response = await SendV3Async(V3Session());
        Assert.True(response.IsSuccessStatusCode, $"v3 session answered {(int)response.StatusCode}");
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["accessToken"]!;
    }

    public async Task<(SimulatedShare Share, ReceivedCall Call)> ScanV3Async(int patientIndex = 0, string counter = "counter-1")
    {
        var share = await Gateway.ScanAsync(new SimulatedScan(HipId, counter, SyntheticPatients.All[patientIndex], WireVersion.V3));
        var call = await Hip.WaitForAsync("/api/v3/hip/patient/share", Wait, c => c.Headers.TryGetValue("REQUEST-ID", out var id) && id == share.RequestId.ToString());
        return (share, call);
    }

    public static JsonObject OnShareV3Body(SimulatedShare share, string tokenNumber = "7", JsonNode? expiry = null) => new()
    {
        ["acknowledgement"] = new JsonObject
        {
            ["abhaAddress"] = share.HealthId,
            ["status"] = "SUCCESS",
            ["profile"] = new JsonObject { ["context"] = share.Scan.CounterCode, ["tokenNumber"] = tokenNumber, ["expiry"] = expiry ?? 1800 },
        },
        ["response"] = new JsonObject { ["requestId"] = share.RequestId.ToString() },
    };

    public static JsonObject OnShareV3FailedBody(SimulatedShare share, bool withAcknowledgement = true, string code = "ABDM-9999") => new()
    {
        ["acknowledgement"] = withAcknowledgement ? new JsonObject { ["abhaAddress"] = share.HealthId, ["status"] = "FAILED" } : null,
        ["error"] = new JsonObject { ["code"] = code, ["message"] = "Counter closed" },
        ["response"] = new JsonObject { ["requestId"] = share.RequestId.ToString() },
    };

    public static V3Request OnShareV3(JsonObject body) => new("api/hiecm/patient-share/v3/on-share", body);

    public static JsonObject GenerateTokenBody(SharedPatientProfile patient, bool withAbhaNumber = true) => new()
    {
        ["abhaNumber"] = withAbhaNumber && patient.AbhaNumber is { } number ? long.Parse(number.Replace("-", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : null,
        ["abhaAddress"] = patient.HealthId,
        ["name"] = patient.Name,
        ["gender"] = patient.Gender switch { Gender.Male => "M", Gender.Female => "F", Gender.Other => "O", _ => "U" },
        ["yearOfBirth"] = patient.YearOfBirth,
    };

    public static V3Request GenerateToken(JsonObject body) => new("api/hiecm/v3/token/generate-token", body) { HipId = HipId };

    public async Task<JsonWebKeySet> V3JwksAsync()
    {
        using var response = await SendV3Async(new V3Request("api/hiecm/gateway/v3/certs", null) { Method = HttpMethod.Get });
        Assert.Equal(200, (int)response.StatusCode);
        return new JsonWebKeySet(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Validates a v3 callback token as a HIP should: a key of the v3 JWKS, picked by kid; issuer; audience account; lifetime.</summary>
    public async Task<TokenValidationResult> ValidateV3CallbackTokenAsync(string token) =>
        await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = (await V3JwksAsync()).GetSigningKeys(),
            ValidIssuer = Gateway.Issuer,
            ValidAudience = "account",
            ValidateLifetime = true,
            TryAllIssuerSigningKeys = false,
        });
}

/// <summary>A v3 request: the headers default to valid values; set one to null to leave it out.</summary>
public sealed class V3Request(string path, JsonObject? body)
{
    public HttpMethod Method { get; set; } = HttpMethod.Post;

    public string Path { get; set; } = path;

    public JsonObject? Body { get; } = body;

    public string? Raw { get; set; }

    /// <summary>null: a session token; "": none.</summary>
    public string? Authorization { get; set; }

    public string? RequestId { get; set; } = Guid.NewGuid().ToString();

    public string? Timestamp { get; set; } = TestBed.Now();

    public string? CmId { get; set; } = "sbx";

    public string? HipId { get; set; }
}
