using System.Net;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

public sealed class MapAbdmProfileShareTests
{
    [Fact]
    public async Task MapAbdmProfileShare_WithoutAddAbdmProfileShare_ThrowsNamingTheMissingCall()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapAbdmProfileShare());

        Assert.Contains("AddAbdmProfileShare", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapAbdmProfileShare_UnderGroupPrefix_MapsEveryCallbackThereWithConventions()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<IGatewayCallbackAuthenticator, TestCallbackAuthenticator>();
        builder.Services.AddAbdmProfileShare(o =>
        {
            o.HipIds.Add(ProfileShareTestHost.HipId);
            o.Gateway.ClientId = "test-client";
            o.Gateway.ClientSecret = "test-secret-value";
            o.Linking.Start = LinkingStart.Manual;
        });
        await using var app = builder.Build();
        var seen = new List<string>();
        app.MapGroup("/abdm").MapAbdmProfileShare().Add(b => seen.Add(((RouteEndpointBuilder)b).RoutePattern.RawText!));
        await app.StartAsync();
        var client = app.GetTestClient();

        using var heartbeat = await client.GetAsync(new Uri("/abdm/v0.5/heartbeat", UriKind.Relative));
        var body = JsonNode.Parse(await heartbeat.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
        Assert.Equal("UP", body["status"]!.GetValue<string>());
        Assert.EndsWith("Z", body["timestamp"]!.GetValue<string>(), StringComparison.Ordinal);
        using var unprefixed = await client.GetAsync(new Uri("/v0.5/heartbeat", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unprefixed.StatusCode);
        // Conventions run when the endpoints are first built (the first request).
        Assert.Equal(
            ["/abdm/v0.5/patients/profile/share", "/abdm/v1.0/patients/profile/share", "/abdm/v0.5/users/auth/on-init", "/abdm/v0.5/users/auth/on-confirm", "/abdm/v0.5/heartbeat",
                "/abdm/api/v3/hip/patient/share", "/abdm/api/v3/hip/token/on-generate-token", "/abdm/api/v3/hip/patient/running-token/status"],
            seen);
        await app.StopAsync();
    }
}
