using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Testing;

/// <summary>
/// A patient scanning a counter's QR code and tapping "share": what <see cref="AbdmGatewaySimulator.ScanAsync"/>
/// turns into a profile share to the HIP.
/// </summary>
/// <param name="HipId">The HIP id in the QR code (sent as <c>X-HIP-ID</c>); must be registered with <see cref="AbdmGatewaySimulator.RegisterHip"/>.</param>
/// <param name="CounterCode">The QR code's <c>code</c> (sent as <c>profile.hipCode</c>), usually the counter id.</param>
/// <param name="Patient">The patient sharing (for example one of <see cref="SyntheticPatients.All"/>).</param>
/// <param name="Version">The wire version: <see cref="WireVersion.V05"/> or <see cref="WireVersion.V10"/> (adds intent and location).</param>
public sealed record SimulatedScan(string HipId, string CounterCode, SharedPatientProfile Patient, WireVersion Version = WireVersion.V05)
{
    /// <summary>The share's <c>requestId</c>. Default: a new one per scan; set it to replay a share.</summary>
    public Guid? RequestId { get; init; }

    /// <summary>The v1.0 <c>location.latitude</c>. Default: <c>12.9716</c>.</summary>
    public string Latitude { get; init; } = "12.9716";

    /// <summary>The v1.0 <c>location.longitude</c>. Default: <c>77.5946</c>.</summary>
    public string Longitude { get; init; } = "77.5946";

    /// <inheritdoc />
    public override string ToString() => $"SimulatedScan {{ HipId = {HipId}, CounterCode = {CounterCode}, Version = {Version} }}";
}
