using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>A <see cref="ProfileShareTestHost"/> on <see cref="WireVersion.V3"/> whose gateway is a <see cref="V3FakeGateway"/>.</summary>
internal sealed class V3Host : IAsyncDisposable
{
    /// <summary>The v3 share callback's route.</summary>
    public const string SharePath = "/api/v3/hip/patient/share";

    private V3Host(ProfileShareTestHost host, V3FakeGateway gateway)
    {
        Host = host;
        Gateway = gateway;
    }

    public ProfileShareTestHost Host { get; }

    public V3FakeGateway Gateway { get; }

    public static async Task<V3Host> StartAsync(Action<AbdmProfileShareOptions>? configure = null, Action<AbdmProfileShareBuilder>? build = null)
    {
        var gateway = new V3FakeGateway();
        var host = await ProfileShareTestHost.StartAsync(
            o =>
            {
                o.WireVersion = WireVersion.V3;
                o.Gateway.BaseUrl = new Uri(V3FakeGateway.BaseUrl);
                configure?.Invoke(o);
            },
            b =>
            {
                b.GatewayHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
                b.SessionsHttpClient.ConfigurePrimaryHttpMessageHandler(() => gateway);
                build?.Invoke(b);
            });
        gateway.Hip = host.Client;
        return new V3Host(host, gateway);
    }

    public Task<HttpResponseMessage> ShareAsync(JsonNode body, Guid requestId) =>
        Gateway.PostToHipAsync(SharePath, body, requestId.ToString());

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
