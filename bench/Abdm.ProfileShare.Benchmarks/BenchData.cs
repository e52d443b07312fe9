using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Benchmarks;

/// <summary>Shared inputs: the documented v0.5 share body (synthetic patient), a gateway key, its JWKS and a signed callback token.</summary>
internal static class BenchData
{
    public const string HipId = "HIP-BENCH-1";
    public const string BaseUrl = "https://gateway.bench.invalid/gateway";

    /// <summary>The documented v0.5 share shape (as bench/wrk/share.lua sends it), for patient <paramref name="index"/>.</summary>
    public static byte[] ShareBody(Guid requestId, int index)
    {
        var n = index.ToString("D6", CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(
            "{\"requestId\":\"" + requestId + "\",\"timestamp\":\"2022-05-10T14:19:12.993Z\",\"profile\":{\"hipCode\":\"counter-1\","
            + "\"patient\":{\"healthId\":\"bench." + n + "@sbx\",\"healthIdNumber\":null,\"name\":\"Bench Testpatient " + n + "\",\"gender\":\"F\","
            + "\"address\":{\"line\":\"12 Sample Street\",\"district\":\"Bengaluru Urban\",\"state\":\"Karnataka\",\"pincode\":\"560001\"},"
            + "\"yearOfBirth\":1990,\"dayOfBirth\":27,\"monthOfBirth\":2,\"identifiers\":[{\"type\":\"MOBILE\",\"value\":\"+91-9000" + n + "\"}]}}}");
    }

    /// <summary>A gateway signing key, its JWKS document and one RS256 callback token (audience account, 2 hours).</summary>
    public sealed class GatewayKey : IDisposable
    {
        private readonly RSA _rsa = RSA.Create(2048);

        public GatewayKey()
        {
            var parameters = _rsa.ExportParameters(false);
            Jwks = Encoding.UTF8.GetBytes(
                "{\"keys\":[{\"kid\":\"" + KeyId + "\",\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\"" + Base64UrlEncoder.Encode(parameters.Modulus)
                + "\",\"e\":\"" + Base64UrlEncoder.Encode(parameters.Exponent) + "\"}]}");
            Token = Sign();
        }

        public string KeyId { get; } = "bench-key-1";

        public byte[] Jwks { get; }

        public string Token { get; }

        public string Sign()
        {
            var now = DateTime.UtcNow;
            return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = "https://gateway.bench.invalid/auth/realms/central-registry",
                Audience = "account",
                IssuedAt = now,
                NotBefore = now.AddSeconds(-5),
                Expires = now.AddMinutes(50), // within Callbacks:MaxTokenLifetime (1 h); the gateway's own live 20 min
                Claims = new Dictionary<string, object> { ["azp"] = "gateway", ["clientId"] = "gateway", ["typ"] = "Bearer", ["jti"] = Guid.NewGuid().ToString() },
                SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
            });
        }

        public void Dispose() => _rsa.Dispose();
    }

    /// <summary>A share request as Kestrel would hand it to the endpoint (headers, JSON content type, a body stream).</summary>
    public static DefaultHttpContext ShareContext(string token, byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/v0.5/patients/profile/share";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Headers.Authorization = "Bearer " + token;
        context.Request.Headers["X-HIP-ID"] = HipId;
        context.Request.Body = new MemoryStream(body, writable: false);
        return context;
    }

    /// <summary>A new v0.5 share of synthetic patient <paramref name="index"/> (four counters), received at <paramref name="now"/>.</summary>
    public static ShareIntake Intake(int index, DateTimeOffset now) => new()
    {
        ShareRequestId = Guid.NewGuid(),
        HipId = HipId,
        CounterCode = "counter-" + (index % 4),
        Profile = new SharedPatientProfile
        {
            HealthId = $"bench.{index:D7}@sbx",
            Name = $"Bench Testpatient {index:D7}",
            Gender = Gender.Female,
            YearOfBirth = 1990,
            MonthOfBirth = 2,
            DayOfBirth = 27,
            Address = new PatientAddress("12 Sample Street", "Bengaluru Urban", "Karnataka", "560001"),
            Mobile = $"+91-900{index:D7}",
            Identifiers = [new ProfileIdentifier("MOBILE", $"+91-900{index:D7}")],
        },
        WireVersion = WireVersion.V05,
        ReceivedAt = now,
        ServiceDay = DateOnly.FromDateTime(now.UtcDateTime),
        RescanWindow = TimeSpan.FromMinutes(30),
        EntryLifetime = TimeSpan.FromHours(4),
        NewEntryId = Guid.CreateVersion7(now),
        AcknowledgementItemId = Guid.CreateVersion7(now),
        AcknowledgementRequestId = Guid.NewGuid(),
    };

}

/// <summary>Serves the JWKS (and 202 for anything else) in memory: no socket in the micro-benchmarks.</summary>
internal sealed class InMemoryGatewayHandler(byte[] jwks) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.AbsolutePath.EndsWith("/certs", StringComparison.Ordinal))
        {
            var content = new ByteArrayContent(jwks);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted));
    }
}

/// <summary>An <see cref="IHttpClientFactory"/> whose clients all use <see cref="InMemoryGatewayHandler"/>.</summary>
internal sealed class InMemoryHttpClientFactory(byte[] jwks) : IHttpClientFactory
{
    private readonly InMemoryGatewayHandler _handler = new(jwks);

    public HttpClient CreateClient(string name) => new(_handler, disposeHandler: false);
}
