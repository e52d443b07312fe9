namespace Abdm.ProfileShare.Model;

/// <summary>The address a patient shared; every part may be missing.</summary>
/// <param name="Line">Street line.</param>
/// <param name="District">District.</param>
/// <param name="State">State.</param>
/// <param name="Pincode">PIN code.</param>
public sealed record PatientAddress(string? Line, string? District, string? State, string? Pincode)
{
    /// <inheritdoc />
    public override string ToString() => "PatientAddress { redacted }";
}
