namespace Abdm.ProfileShare;

/// <summary>What only the ABDM v3 wire needs.</summary>
public sealed class WireV3Options
{
    /// <summary>
    /// The unit of the on-share <c>expiry</c> (<c>AbdmProfileShare:V3:ExpiryUnit</c>). Default:
    /// <see cref="TokenExpiryUnit.Seconds"/>. The value sent is the token's remaining validity (see
    /// <see cref="QueueOptions.RescanWindow"/>), as a JSON number.
    /// </summary>
    public TokenExpiryUnit ExpiryUnit { get; set; } = TokenExpiryUnit.Seconds;

    /// <summary>
    /// The error code of a FAILED on-share when the host or the profile rules reject a share
    /// (<c>AbdmProfileShare:V3:RejectionErrorCode</c>). Default: <c>ABDM-9999</c>. A share whose intent is not
    /// <c>PROFILE_SHARE</c> is answered with <c>ABDM-1149</c> ("Intent type is not supported at HIP end").
    /// </summary>
    public string RejectionErrorCode { get; set; } = "ABDM-9999";
}
