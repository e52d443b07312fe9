using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Workflow;

/// <summary>A v3 <c>RECORD_SHARE</c> or <c>PAYMENT_SHARE</c>, read and checked, for the host's <see cref="IShareIntentHandler"/>.</summary>
public sealed record ShareIntentRequest
{
    /// <summary>The intent: <see cref="ShareIntent.RecordShare"/> or <see cref="ShareIntent.PaymentShare"/>.</summary>
    public required ShareIntent Intent { get; init; }

    /// <summary>The HIP the share is for (<c>X-HIP-ID</c>, one this host serves; <c>metaData.hipId</c>, when sent, is the same).</summary>
    public required string HipId { get; init; }

    /// <summary>The counter (or other context) the patient scanned: <c>metaData.context</c>, trimmed.</summary>
    public required string CounterCode { get; init; }

    /// <summary>
    /// The share's <c>REQUEST-ID</c> header: the idempotency key. The SDK answers a repeat from memory while it
    /// remembers it; a handler that must not act twice keys its own record on it.
    /// </summary>
    public required Guid RequestId { get; init; }

    /// <summary>The patient's profile (<c>profile.patient</c>), in the version-independent model, its free text cleaned.</summary>
    public required SharedPatientProfile Profile { get; init; }

    /// <summary>
    /// The other <c>metaData</c> keys the share sent, as text (<c>hipId</c>, <c>hprId</c>, <c>latitude</c>,
    /// <c>longitude</c>; numbers in invariant culture); a key sent as <c>null</c> is absent. The counter is
    /// <see cref="CounterCode"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> MetaData { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Ids only: the profile is patient data and never printed.</summary>
    /// <returns>The intent, request id, HIP and counter.</returns>
    public override string ToString() => $"ShareIntentRequest {{ Intent = {Intent}, RequestId = {RequestId}, HipId = {HipId}, CounterCode = {CounterCode} }}";
}
