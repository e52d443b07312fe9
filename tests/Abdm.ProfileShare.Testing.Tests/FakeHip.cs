using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>A tiny HIP on 127.0.0.1:0: minimal endpoints that record every callback and answer 202 (or a set status).</summary>
public sealed class FakeHip : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedCall> _calls = new();
    private readonly List<(Func<ReceivedCall, bool> Predicate, TaskCompletionSource<ReceivedCall> Completion)> _waiters = [];
    private readonly Lock _gate = new();

    private FakeHip(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>The status every callback is answered with.</summary>
    public int StatusCode { get; set; } = StatusCodes.Status202Accepted;

    /// <summary>Runs (in the background, after the answer) for every received call: to answer a share with an on-share, say.</summary>
    public Func<ReceivedCall, Task>? OnReceived { get; set; }

    public IReadOnlyList<ReceivedCall> Calls => [.. _calls];

    public IReadOnlyList<ReceivedCall> CallsTo(string pathSuffix) => [.. _calls.Where(c => c.Path.EndsWith(pathSuffix, StringComparison.Ordinal))];

    public static async Task<FakeHip> StartAsync(string pathBase = "/hip")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeHip? hip = null;
        var group = app.MapGroup(pathBase);
        foreach (var path in new[] { "/v0.5/patients/profile/share", "/v1.0/patients/profile/share", "/v0.5/users/auth/on-init", "/v0.5/users/auth/on-confirm", "/api/v3/hip/patient/share", "/api/v3/hip/token/on-generate-token", "/api/v3/hip/patient/running-token/status" })
        {
            group.MapPost(path, async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var text = await reader.ReadToEndAsync();
                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                var call = new ReceivedCall(context.Request.Path.ToString(), headers, text, JsonNode.Parse(text)!.AsObject());
                hip!.Add(call);
                context.Response.StatusCode = hip.StatusCode;
                await context.Response.CompleteAsync();
                if (hip.OnReceived is { } onReceived)
                {
                    _ = Task.Run(() => onReceived(call));
                }
            });
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        hip = new FakeHip(app, new Uri(address.TrimEnd('/') + pathBase));
        return hip;
    }

    public Task<ReceivedCall> WaitForAsync(string pathSuffix, TimeSpan? timeout = null, Func<ReceivedCall, bool>? predicate = null)
    {
        bool Matches(ReceivedCall c) => c.Path.EndsWith(pathSuffix, StringComparison.Ordinal) && (predicate?.Invoke(c) ?? true);
        var completion = new TaskCompletionSource<ReceivedCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = _calls.FirstOrDefault(Matches);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((Matches, completion));
        }

        return completion.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Add(ReceivedCall call)
    {
        List<TaskCompletionSource<ReceivedCall>> matched = [];
        lock (_gate)
        {
            _calls.Enqueue(call);
            foreach (var waiter in _waiters.Where(w => w.Predicate(call)).ToList())
            {
                matched.Add(waiter.Completion);
                _waiters.Remove(waiter);
            }
        }

        foreach (var completion in matched)
        {
            completion.TrySetResult(call);
        }
    }
}

/// <summary>A call the fake HIP received.</summary>
public sealed record ReceivedCall(string Path, IReadOnlyDictionary<string, string> Headers, string Text, JsonObject Body)
{
    public string BearerToken => Headers["Authorization"]["Bearer ".Length..];
}
