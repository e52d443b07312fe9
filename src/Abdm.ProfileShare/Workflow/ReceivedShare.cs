using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// A profile share as the gateway sent it, authenticated by the transport that received it, then read, checked and
/// mapped to the model by <see cref="IProfileShareInbox.ReadShare"/>: the input of
/// <see cref="IProfileShareInbox.AcceptShareAsync"/>.
/// </summary>
public sealed record ReceivedShare
{
    /// <summary>The share's requestId (v3: the <c>REQUEST-ID</c> header): the idempotency key, and the on-share's <c>resp.requestId</c>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The HIP the share is for (<c>X-HIP-ID</c>), one this host serves (the transport checked it).</summary>
    public required string HipId { get; init; }

    /// <summary>The counter the patient scanned (v0.5/v1.0 <c>profile.hipCode</c>, v3 <c>metaData.context</c>).</summary>
    public required string CounterCode { get; init; }

    /// <summary>The patient's profile, in the version-independent model, its free text cleaned.</summary>
    public required SharedPatientProfile Profile { get; init; }

    /// <summary>The wire version the share arrived in.</summary>
    public required WireVersion WireVersion { get; init; }

    /// <summary>
    /// What the share asks (v3 <c>intent</c>; always <see cref="ShareIntent.ProfileShare"/> on v0.5/v1.0). Only a
    /// <see cref="ShareIntent.ProfileShare"/> is accepted by <see cref="IProfileShareInbox.AcceptShareAsync"/>; the others
    /// go to <see cref="IProfileShareInbox.HandleShareIntentAsync"/> (read only when an <see cref="IShareIntentHandler"/> is registered).
    /// </summary>
    public ShareIntent Intent { get; init; } = ShareIntent.ProfileShare;

    /// <summary>
    /// v3: the <c>metaData</c> keys other than the counter, as text (<c>hipId</c>, <c>hprId</c>, <c>latitude</c>,
    /// <c>longitude</c>; a key sent as <c>null</c> is absent); empty on v0.5/v1.0.
    /// </summary>
    public IReadOnlyDictionary<string, string> MetaData { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Ids only: the profile is patient data and never printed.</summary>
    /// <returns>The request id, HIP, counter, version and intent.</returns>
    public override string ToString() => $"ReceivedShare {{ RequestId = {RequestId}, HipId = {HipId}, CounterCode = {CounterCode}, WireVersion = {WireVersion}, Intent = {Intent} }}";
}
