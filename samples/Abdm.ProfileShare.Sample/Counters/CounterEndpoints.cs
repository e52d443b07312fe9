using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Abdm.ProfileShare.Sample.Operators;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Sample.Counters;

/// <summary>The counter screen's live feed and the counter QR codes (the pages themselves are Razor Pages).</summary>
internal static class CounterEndpoints
{
    public static IEndpointRouteBuilder MapCounterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var counters = endpoints.MapGroup("/counters/{hipId}/{counter}");
        counters.MapGet("/events", ChangesAsync);
        counters.MapGet("/qr.png", (string hipId, string counter, string? form, Facilities facilities, IOptions<AbdmProfileShareOptions> options, HttpContext context) =>
            context.User.Serves(hipId) && facilities.TryFind(hipId, counter, out _, out _)
                ? Results.File(CounterQrCode.Png(CounterQrCode.Payload(hipId, counter, CounterQrCode.UseUrlForm(form, options.Value), options.Value)), "image/png", $"qr-{hipId}-{counter}.png")
                : Results.NotFound());
        counters.MapGet("/qr.svg", (string hipId, string counter, string? form, Facilities facilities, IOptions<AbdmProfileShareOptions> options, HttpContext context) =>
            context.User.Serves(hipId) && facilities.TryFind(hipId, counter, out _, out _)
                ? Results.Text(CounterQrCode.Svg(CounterQrCode.Payload(hipId, counter, CounterQrCode.UseUrlForm(form, options.Value), options.Value)), "image/svg+xml")
                : Results.NotFound());
        return endpoints;
    }

    /// <summary>
    /// Server-sent events for one counter, fed by <see cref="ICounterQueue.WatchAsync"/>: a <c>ready</c> event when the
    /// subscription is in place (the page then reloads its list, so nothing between page load and subscribe is missed),
    /// then one <c>change</c> event per change (ids only; the page fetches the list again).
    /// </summary>
    private static IResult ChangesAsync(string hipId, string counter, Facilities facilities, ICounterQueue queue, IHostApplicationLifetime lifetime, HttpContext context)
    {
        // Another facility's feed is "not found" for this operator, as an unknown counter's is.
        if (!context.User.Serves(hipId) || !facilities.TryFind(hipId, counter, out _, out _))
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.ServerSentEvents(StreamAsync(queue, hipId, counter, lifetime.ApplicationStopping, context.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(
        ICounterQueue queue, string hipId, string counter, CancellationToken stopping, [EnumeratorCancellation] CancellationToken aborted = default)
    {
        // End the stream when the client goes away or the app stops (open streams would otherwise hold shutdown).
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping, aborted);
        var changes = queue.WatchAsync(hipId, counter, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = changes.MoveNextAsync().AsTask(); // subscribes now, before "ready" is sent
        try
        {
            yield return new SseItem<string>("subscribed", "ready");
            while (await NextAsync(next))
            {
                var change = changes.Current;
                yield return new SseItem<string>($"{change.Kind} {change.EntryId} {change.Version}", "change");
                next = changes.MoveNextAsync().AsTask();
            }
        }
        finally
        {
            // Stop the subscription and let a pending read observe it before the enumerator is disposed.
            await cts.CancelAsync();
            await NextAsync(next);
            await changes.DisposeAsync();
        }
    }

    private static async Task<bool> NextAsync(Task<bool> next)
    {
        try
        {
            return await next;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
