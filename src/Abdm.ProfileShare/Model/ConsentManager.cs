namespace Abdm.ProfileShare.Model;

/// <summary>Helpers for consent-manager ids (<c>X-CM-ID</c>).</summary>
public static class ConsentManager
{
    /// <summary>
    /// The suffix of a PHR address: <c>test@sbx</c> gives <c>sbx</c>, <c>x@abdm</c> gives <c>abdm</c>.
    /// </summary>
    /// <param name="healthId">The PHR address.</param>
    /// <returns>The suffix, or <see langword="null"/> when there is none.</returns>
    public static string? FromHealthId(string? healthId)
    {
        if (string.IsNullOrEmpty(healthId))
        {
            return null;
        }

        var at = healthId.LastIndexOf('@');
        return at >= 0 && at < healthId.Length - 1 ? healthId[(at + 1)..] : null;
    }
}
