using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Testing;

/// <summary>A profile share the simulator sent to a HIP, and what the patient's phone will show for it.</summary>
public sealed class SimulatedShare
{
    private readonly TaskCompletionSource<PhoneAcknowledgement> _acknowledgement;

    internal SimulatedShare(Guid requestId, SimulatedScan scan, SimulatedShare? sameRequest)
    {
        RequestId = requestId;
        Scan = scan;

        // A replayed share (same requestId) is acknowledged once, like the original.
        _acknowledgement = sameRequest?._acknowledgement ?? new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The share's <c>requestId</c> (v3: its <c>REQUEST-ID</c> header); the HIP's on-share must name it in
    /// <c>resp.requestId</c> (v3: <c>response.requestId</c>).
    /// </summary>
    public Guid RequestId { get; }

    /// <summary>The scan this share came from.</summary>
    public SimulatedScan Scan { get; }

    /// <summary>The HIP id the share was sent to.</summary>
    public string HipId => Scan.HipId;

    /// <summary>The wire version of the share (and of the on-share the simulator expects).</summary>
    public WireVersion Version => Scan.Version;

    /// <summary>The patient's PHR address (<c>profile.patient.healthId</c>; v3: <c>profile.patient.abhaAddress</c>).</summary>
    public string HealthId => Scan.Patient.HealthId;

    /// <summary>
    /// The HTTP status the HIP answered the share with (its first delivery), or <see langword="null"/> when it was
    /// not delivered (dropped by a fault, the HIP unreachable or too slow).
    /// </summary>
    public int? HipStatusCode { get; internal set; }

    /// <summary>Why the share was not delivered, when <see cref="HipStatusCode"/> is <see langword="null"/>.</summary>
    public string? DeliveryError { get; internal set; }

    /// <summary>
    /// Completes when the first valid on-share for this share arrives: what the phone shows. Never completes
    /// when no valid on-share arrives; await it with a timeout (<c>share.Acknowledgement.WaitAsync(TimeSpan)</c>).
    /// Canceled when the simulator is disposed before it completed.
    /// </summary>
    public Task<PhoneAcknowledgement> Acknowledgement => _acknowledgement.Task;

    internal bool TryAcknowledge(PhoneAcknowledgement acknowledgement) => _acknowledgement.TrySetResult(acknowledgement);

    internal void Abandon() => _acknowledgement.TrySetCanceled();

    /// <inheritdoc />
    public override string ToString() => $"SimulatedShare {{ RequestId = {RequestId}, HipId = {HipId}, Version = {Version}, HipStatusCode = {HipStatusCode} }}";
}
