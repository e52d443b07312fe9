using System.Globalization;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Workflow.Internal.Steps;

/// <summary>What running an outbox item came to.</summary>
/// <param name="RetryReason">Null when the item is finished; otherwise why it must be tried again (a transient gateway failure).</param>
/// <param name="CompletedByUpdate">Whether the entry update that finished the item also removed it from the outbox.</param>
/// <param name="WakeAt">A later item this step scheduled (a callback timeout): the pump wakes for it.</param>
internal readonly record struct StepResult(string? RetryReason, bool CompletedByUpdate = false, DateTimeOffset? WakeAt = null)
{
    public static StepResult Done => default;

    public static StepResult Finished(AppliedEvent applied, DateTimeOffset? wakeAt = null) => new(null, applied.CompletedItem, wakeAt);

    public static StepResult Retry(string reason) => new(reason);
}

/// <summary>
/// The I/O of one kind of outbox item: read the entry, call the gateway or the host's handler, and feed what happened
/// to the lifecycle (<see cref="EntryTransitions"/>). The pump (<see cref="OutboxProcessor"/>) leases, schedules and
/// retries; a step never sleeps or retries itself. A step may run twice for one item (after a crash or a lost lease),
/// so its gateway call reuses the item's requestId.
/// </summary>
internal interface IOutboxStep
{
    /// <summary>The kind of item this step runs.</summary>
    OutboxItemKind Kind { get; }

    /// <summary>The span name of an attempt.</summary>
    string SpanName { get; }

    /// <summary>How many attempts before the item is dropped; null: retried while its entry lives.</summary>
    int? MaxAttempts { get; }

    /// <summary>Runs one attempt; <paramref name="services"/> is the attempt's scope (the host's handlers are scoped).</summary>
    Task<StepResult> RunAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken);
}

/// <summary>The words a retried or refused gateway call is described with (span status, outbox <c>last_error</c>).</summary>
internal static class GatewayFailure
{
    public static string Describe(AbdmGatewayException ex) =>
        ex.StatusCode is { } status
            ? string.Create(CultureInfo.InvariantCulture, $"{ex.Operation}: HTTP {(int)status}{(ex.ErrorCode is null ? "" : " code " + ex.ErrorCode)}")
            : $"{ex.Operation}: {ex.InnerException?.GetType().Name ?? "unreachable"}";
}
