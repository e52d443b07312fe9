namespace Abdm.ProfileShare;

/// <summary>The unit of the v3 on-share <c>acknowledgement.profile.expiry</c> (ABDM has not published it).</summary>
public enum TokenExpiryUnit
{
    /// <summary>Seconds (1800 for a fresh 30-minute token): what integrators send and the sandbox accepts.</summary>
    Seconds,

    /// <summary>Whole minutes, rounded up.</summary>
    Minutes,
}
