using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Testing;

/// <summary>
/// A patient scanning a counter's QR code and tapping "share": what <see cref="AbdmGatewaySimulator.ScanAsync"/>
/// turns into a profile share to the HIP.
/// </summary>
/// <param name="HipId">The HIP id in the QR code (sent as <c>X-HIP-ID</c>); must be registered with <see cref="AbdmGatewaySimulator.RegisterHip"/>.</param>
/// <param name="CounterCode">The QR code's counter id (sent as <c>profile.hipCode</c>; v3: <c>metaData.context</c>).</param>
/// <param name="Patient">The patient sharing (for example one of <see cref="SyntheticPatients.All"/>).</param>
/// <param name="Version">
/// The wire version: <see cref="WireVersion.V05"/>, <see cref="WireVersion.V10"/> (adds intent and location) or
/// <see cref="WireVersion.V3"/> (<c>/api/v3/hip/patient/share</c>, requestId and timestamp in headers).
/// </param>
public sealed record SimulatedScan(string HipId, string CounterCode, SharedPatientProfile Patient, WireVersion Version = WireVersion.V05)
{
    /// <summary>
    /// The share's <c>requestId</c> (v3: its <c>REQUEST-ID</c> header). Default: a new one per scan; set it to replay
    /// a share.
    /// </summary>
    public Guid? RequestId { get; init; }

    /// <summary>
    /// The v1.0 <c>location.latitude</c> and v3 <c>metaData.latitude</c> (a string in both). Default
    /// (<see langword="null"/>): <c>12.9716</c> in v1.0, <c>12.97</c> in v3 (the sandbox's value).
    /// </summary>
    public string? Latitude { get; init; }

    /// <summary>
    /// The v1.0 <c>location.longitude</c> and v3 <c>metaData.longitude</c> (a string in both). Default
    /// (<see langword="null"/>): <c>77.5946</c> in v1.0, <c>77.71</c> in v3 (the sandbox's value).
    /// </summary>
    public string? Longitude { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"SimulatedScan {{ HipId = {HipId}, CounterCode = {CounterCode}, Version = {Version} }}";
}
