using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Abdm.ProfileShare.TestHost;

/// <summary>
/// Read-only endpoints for the tests, under <c>/_test</c>. They return ids, counters, token numbers and states, never
/// patient data; a stored linking token appears only as a short SHA-256 fingerprint.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>GET /_test/entries?hip=HIP-1</c>: the queue (<see cref="ICounterQueue.ListAsync"/>) as JSON.</item>
/// <item><c>GET /_test/changes?hip=HIP-1</c>: <see cref="ICounterQueue.WatchAsync"/> as server-sent events. The first
/// frame, the comment <c>: subscribed</c>, is written once the feed is registered and the store (its change
/// subscription included) is connected, so a client knows from then on it misses nothing.</item>
/// </list>
/// </remarks>
internal static class TestEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints, string? instance)
    {
        var group = endpoints.MapGroup("/_test");
        group.MapGet("/entries", (HttpContext context, string hip, ICounterQueue queue) => WriteEntriesAsync(context, hip, queue, instance));
        group.MapGet("/changes", (HttpContext context, string hip, ICounterQueue queue, IProfileShareStore store) => StreamChangesAsync(context, hip, queue, store));
    }

    private static async Task WriteEntriesAsync(HttpContext context, string hip, ICounterQueue queue, string? instance)
    {
        var cancellationToken = context.RequestAborted;
        var entries = await queue.ListAsync(hip, null, cancellationToken);
        var snapshots = new List<EntrySnapshot>(entries.Count);
        foreach (var entry in entries)
        {
            var token = await queue.GetLinkingTokenAsync(entry.HipId, entry.Profile.HealthId, cancellationToken);
            snapshots.Add(new EntrySnapshot(
                entry.Id,
                entry.CounterCode,
                entry.TokenNumber,
                entry.ServiceDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                entry.Status.ToString(),
                entry.Acknowledgement.ToString(),
                entry.Linking.State.ToString(),
                entry.WireVersion.ToString(),
                entry.LatestShareRequestId,
                entry.ScanCount,
                entry.Linking.InitRequestId,
                entry.Linking.ConfirmRequestId,
                token is null ? null : Fingerprint(token.Token),
                token?.EntryId));
        }

        await Results.Json(new EntriesResponse(instance, snapshots), TestHostJsonContext.Default.EntriesResponse).ExecuteAsync(context);
    }

    private static async Task StreamChangesAsync(HttpContext context, string hip, ICounterQueue queue, IProfileShareStore store)
    {
        var cancellationToken = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        var changes = queue.WatchAsync(hip, null, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // The first MoveNextAsync registers the feed before its first await; the ping waits for the store's connection.
            var next = changes.MoveNextAsync();
            await store.PingAsync(cancellationToken);
            await context.Response.WriteAsync(": subscribed\n\n", cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            while (await next)
            {
                var change = changes.Current;
                var frame = JsonSerializer.Serialize(
                    new ChangeSnapshot(change.Kind.ToString(), change.EntryId, change.CounterCode, change.Version), TestHostJsonContext.Default.ChangeSnapshot);
                await context.Response.WriteAsync("data: " + frame + "\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                next = changes.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            await changes.DisposeAsync();
        }
    }

    /// <summary>The first 16 hex digits of the token's SHA-256: enough to compare, useless to replay.</summary>
    public static string Fingerprint(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];
}

/// <summary>One change of the feed.</summary>
internal sealed record ChangeSnapshot(string Kind, Guid EntryId, string Counter, long Version);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EntriesResponse))]
[JsonSerializable(typeof(ChangeSnapshot))]
internal sealed partial class TestHostJsonContext : JsonSerializerContext;
