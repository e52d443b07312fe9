using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Abdm.ProfileShare.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// The HIP's callback URL as the gateway sees it when the hospital runs two instances: a small reverse proxy on
/// 127.0.0.1 that sends every gateway callback to the instance that did NOT make the matching call.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Profile shares (the phone's first message, no call of ours before it) alternate strictly between the
/// instances.</item>
/// <item>An on-init or on-confirm names the auth init or confirm it answers in <c>resp.requestId</c>; the simulator's
/// journal holds that request with its headers, and each instance names itself on its gateway calls
/// (<c>X-Test-Instance</c>). The callback goes to the other instance. A callback whose call is not in the journal is
/// counted in <see cref="Unmatched"/> and alternated.</item>
/// </list>
/// </remarks>
internal sealed class CallbackRouter : IAsyncDisposable
{
    private const string InstanceHeader = "X-Test-Instance";

    private readonly WebApplication _app;
    private readonly GatewayJournal _journal;
    private readonly IReadOnlyList<(string Name, Uri Url)> _instances;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(15) };
    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private int _turn = -1;
    private int _unmatched;

    private CallbackRouter(WebApplication app, GatewayJournal journal, IReadOnlyList<(string Name, Uri Url)> instances)
    {
        _app = app;
        _journal = journal;
        _instances = instances;
        app.Run(ForwardAsync);
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request forwarded: what it was, which instance made the matching call, where it went, the answer.</summary>
    public IReadOnlyCollection<Delivery> Deliveries => [.. _deliveries];

    /// <summary>Callbacks whose matching call the journal did not hold.</summary>
    public int Unmatched => Volatile.Read(ref _unmatched);

    public static async Task<CallbackRouter> StartAsync(GatewayJournal journal, IReadOnlyList<(string Name, Uri Url)> instances)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var router = new CallbackRouter(builder.Build(), journal, instances);
        await router._app.StartAsync();
        var address = router._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        router.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return router;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var path = context.Request.Path.Value ?? "/";
        var (kind, requestId, operation) = Classify(path, body);
        string? caller = null;
        if (operation is { } answered && requestId is { } id)
        {
            caller = _journal.Of(answered).LastOrDefault(e => e.IsAccepted && e.RequestId == id)?.Headers.GetValueOrDefault(InstanceHeader);
            if (caller is null)
            {
                Interlocked.Increment(ref _unmatched);
            }
        }

        var target = caller is null
            ? _instances[(int)((uint)Interlocked.Increment(ref _turn) % (uint)_instances.Count)]
            : _instances.First(i => i.Name != caller);

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(target.Url, path.TrimStart('/') + context.Request.QueryString))
        {
            Content = new ByteArrayContent(body),
        };
        foreach (var (name, value) in context.Request.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value.ToString());
            }
            else if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                     && !name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        using var response = await _http.SendAsync(request, context.RequestAborted);
        var answer = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
        _deliveries.Enqueue(new Delivery(kind, requestId, caller, target.Name, (int)response.StatusCode));
        context.Response.StatusCode = (int)response.StatusCode;
        if (answer.Length > 0)
        {
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        }
    }

    private static (string Kind, Guid? RequestId, GatewayOperation? Answers) Classify(string path, byte[] body)
    {
        Guid? Read(string property, string? inner = null)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var element = document.RootElement;
                if (inner is not null && !(element.TryGetProperty(inner, out element) && element.ValueKind == JsonValueKind.Object))
                {
                    return null;
                }

                return element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetGuid(out var id) ? id : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        if (path.EndsWith("/patients/profile/share", StringComparison.Ordinal))
        {
            return ("share", Read("requestId"), null);
        }

        if (path.EndsWith("/users/auth/on-init", StringComparison.Ordinal))
        {
            return ("on-init", Read("requestId", "resp"), GatewayOperation.AuthInit);
        }

        if (path.EndsWith("/users/auth/on-confirm", StringComparison.Ordinal))
        {
            return ("on-confirm", Read("requestId", "resp"), GatewayOperation.AuthConfirm);
        }

        return ("other", null, null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>One forwarded request. <paramref name="RequestId"/>: the share's requestId, or the callback's resp.requestId.</summary>
    internal sealed record Delivery(string Kind, Guid? RequestId, string? Caller, string Target, int StatusCode);
}
