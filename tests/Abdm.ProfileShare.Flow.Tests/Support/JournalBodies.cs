using System.Text.Json;
using Abdm.ProfileShare.Testing;

namespace Abdm.ProfileShare.FlowTests.Support;

/// <summary>Reads values out of journaled bodies (the journal keeps them as JSON).</summary>
internal static class JournalBodies
{
    /// <summary>The linking token of an on-confirm (<c>auth.accessToken</c>), or null.</summary>
    public static string? LinkingToken(this JournalEntry entry) => entry.String("auth", "accessToken");

    /// <summary>The transactionId of an on-init (<c>auth.transactionId</c>), or null.</summary>
    public static string? TransactionId(this JournalEntry entry) => entry.String("auth", "transactionId");

    /// <summary>The string at <paramref name="path"/> in the body, or null.</summary>
    public static string? String(this JournalEntry entry, params string[] path)
    {
        if (entry.Body is not { } element)
        {
            return null;
        }

        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    /// <summary>The error code at <c>error.code</c>, or null.</summary>
    public static int? BodyErrorCode(this JournalEntry entry) =>
        entry.Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("error", out var error)
        && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var code) && code.TryGetInt32(out var value)
            ? value
            : null;

    /// <summary>A request header as the simulator received it, or null.</summary>
    public static string? Header(this JournalEntry entry, string name) => entry.Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Received requests of <paramref name="operation"/> the simulator accepted.</summary>
    public static IReadOnlyList<JournalEntry> Accepted(this GatewayJournal journal, GatewayOperation operation) =>
        [.. journal.Of(operation).Where(e => e.IsAccepted)];

    /// <summary>Calls of <paramref name="operation"/> the simulator sent to the HIP (dropped ones excluded).</summary>
    public static IReadOnlyList<JournalEntry> Sent(this GatewayJournal journal, GatewayOperation operation) =>
        [.. journal.Of(operation).Where(e => e.Direction == JournalDirection.Sent && !e.Faults.Contains(FaultKind.Drop))];
}
