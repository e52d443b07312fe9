using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>
/// Tag (attribute) names of spans and metrics, OpenTelemetry style. Values are ids, HIP ids, counter codes,
/// states, outcomes and gateway error codes only: never patient data.
/// </summary>
internal static class AbdmTags
{
    public const string RequestId = "abdm.request_id";
    public const string HipId = "abdm.hip_id";
    public const string Counter = "abdm.counter";
    public const string WireVersion = "abdm.wire_version";
    public const string Outcome = "abdm.outcome";
    public const string Reason = "abdm.reason";
    public const string EntryId = "abdm.entry_id";
    public const string ErrorCode = "abdm.error_code";
    public const string Callback = "abdm.callback";
    public const string Operation = "abdm.operation";
    public const string OutboxKind = "abdm.outbox.kind";
    public const string OutboxItemId = "abdm.outbox.item_id";
    public const string Attempt = "abdm.outbox.attempt";
    public const string LinkingState = "abdm.linking.state";

    public static string Of(WireVersion version) => version switch { Model.WireVersion.V10 => "v1.0", Model.WireVersion.V3 => "v3", _ => "v0.5" };

    public static string Of(Model.LinkingState state) => state switch
    {
        Model.LinkingState.NotStarted => "not_started",
        Model.LinkingState.AwaitingTransaction => "awaiting_transaction",
        Model.LinkingState.AwaitingToken => "awaiting_token",
        Model.LinkingState.Linked => "linked",
        Model.LinkingState.Failed => "failed",
        Model.LinkingState.TimedOut => "timed_out",
        Model.LinkingState.Throttled => "throttled",
        _ => "unknown",
    };
}
