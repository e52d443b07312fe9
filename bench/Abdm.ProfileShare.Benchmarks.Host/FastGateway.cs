using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Benchmarks.Host;

/// <summary>
/// A fast local stand-in for the gateway in the share-endpoint benchmarks: <c>/gateway/v0.5/sessions</c> issues a
/// session token, <c>/gateway/v0.5/certs</c> publishes one RSA key (a JWKS), and every other POST (on-share, auth init,
/// auth confirm) is answered 202 at once, so the host's outbox work runs but costs the gateway almost nothing. It also
/// signs one RS256 callback token (audience <c>account</c>, the key's <c>kid</c>, <c>azp</c> = <c>clientId</c> = <c>gateway</c>, 59 minutes: within <c>Callbacks:MaxTokenLifetime</c>) and writes it to
/// <c>--token-file</c>: the gateway reuses one token across callbacks, so one token for a run is realistic.
/// </summary>
internal static class FastGateway
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var port = args.Int("port", 0);
        var tokenFile = args.Require("token-file");

        using var rsa = RSA.Create(2048);
        var kid = "bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        var parameters = rsa.ExportParameters(false);
        var jwks = Encoding.UTF8.GetBytes(
            $$"""{"keys":[{"kid":"{{kid}}","kty":"RSA","alg":"RS256","use":"sig","n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}""");
        var session = Encoding.UTF8.GetBytes(
            """{"accessToken":"bench-session-token","expiresIn":86400,"refreshExpiresIn":86400,"refreshToken":"bench-refresh-token","tokenType":"bearer"}""");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();

        app.MapPost("/gateway/v0.5/sessions", (HttpContext context) => WriteJsonAsync(context, 200, session));
        app.MapGet("/gateway/v0.5/certs", (HttpContext context) => WriteJsonAsync(context, 200, jwks));
        long received = 0;
        app.MapGet("/_bench/counts", (HttpContext context) => context.Response.WriteAsync(FormattableString.Invariant($"{Interlocked.Read(ref received)}")));
        app.MapPost("/gateway/{**rest}", async (HttpContext context) =>
        {
            await DrainAsync(context.Request);
            Interlocked.Increment(ref received);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });

        await app.StartAsync();
        var address = app.Urls.First();
        var issuer = address.TrimEnd('/') + "/auth/realms/central-registry";
        var now = DateTime.UtcNow;
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "account",
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now.AddMinutes(59), // within the host's Callbacks:MaxTokenLifetime (1 h)
            Claims = new Dictionary<string, object> { ["azp"] = "gateway", ["clientId"] = "gateway", ["typ"] = "Bearer", ["jti"] = Guid.NewGuid().ToString() },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
        });
        await File.WriteAllTextAsync(tokenFile, token);

        Console.Out.WriteLine($"{Program.ReadyMarker} {address.TrimEnd('/')}/gateway");
        Console.Out.Flush();
        await app.WaitForShutdownAsync();
        return 0;
    }

    internal static async Task DrainAsync(HttpRequest request)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync();
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
    }

    private static Task WriteJsonAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
