namespace Abdm.ProfileShare.Model;

/// <summary>
/// How a PHR (ABHA) address is compared and keyed: case-insensitively for ASCII letters only. Every store key and
/// every comparison of a PHR address (re-scan matching, linking-token lookup, the patient directory's match) goes
/// through <see cref="Fold"/>, so a store author who keys by it agrees with the built-in stores.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="string.ToUpperInvariant()"/>: it maps some non-ASCII letters onto ASCII ones (the long
/// <c>ſ</c> U+017F becomes <c>S</c>), so <c>ſam@sbx</c> and <c>sam@sbx</c> shared a key, and whoever can pass one (a
/// HIS looking up a linking token with what a user typed, a forged share) would reach the other's linking token or
/// re-scan entry; culture-aware casing adds more (<c>tr-TR</c> upper-cases the dotless <c>ı</c> U+0131 to <c>I</c>).
/// <see cref="Fold"/> changes only <c>a</c>-<c>z</c> and leaves every other character as it is: it is
/// culture-invariant, and a non-ASCII input never equals an ASCII one.</para>
/// <para>The folded form is upper case on purpose: the stores keyed PHR addresses with
/// <see cref="string.ToUpperInvariant()"/> before, which gives the same result for an all-ASCII address (every address
/// the share validation admits), so the keys already stored for ASCII addresses keep working without a migration.</para>
/// </remarks>
public static class PhrAddress
{
    /// <summary>
    /// The key of a PHR address: ASCII letters <c>a</c>-<c>z</c> upper-cased, every other character unchanged
    /// (<c>Kiran@sbx</c> gives <c>KIRAN@SBX</c>; <c>ſam@sbx</c> gives <c>ſAM@SBX</c>, not <c>SAM@SBX</c>). No trimming, no
    /// normalisation.
    /// </summary>
    /// <param name="phrAddress">The PHR address.</param>
    /// <returns>The folded address (the same instance when nothing changes).</returns>
    public static string Fold(string phrAddress)
    {
        ArgumentNullException.ThrowIfNull(phrAddress);
        var first = phrAddress.AsSpan().IndexOfAnyInRange('a', 'z');
        if (first < 0)
        {
            return phrAddress;
        }

        return string.Create(phrAddress.Length, (phrAddress, first), static (span, state) =>
        {
            state.phrAddress.AsSpan().CopyTo(span);
            for (var i = state.first; i < span.Length; i++)
            {
                if (char.IsAsciiLetterLower(span[i]))
                {
                    span[i] = (char)(span[i] - ('a' - 'A'));
                }
            }
        });
    }

    /// <summary>Whether two PHR addresses are the same address: equal after <see cref="Fold"/>.</summary>
    /// <param name="left">One address.</param>
    /// <param name="right">The other.</param>
    /// <returns><see langword="true"/> when they differ at most in the case of ASCII letters.</returns>
    public static bool AreSame(string? left, string? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        return left.Length == right.Length && string.Equals(Fold(left), Fold(right), StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether a PHR address has the syntax this library accepts: <c>name@suffix</c>, exactly one <c>@</c>, each side
    /// non-empty and made only of ASCII letters, digits, <c>.</c>, <c>_</c> and <c>-</c> (NHA's v3 share contract lists
    /// <c>-</c> too).
    /// </summary>
    /// <param name="phrAddress">The address (already trimmed).</param>
    /// <returns>Whether it is well-formed.</returns>
    internal static bool IsWellFormed(string? phrAddress)
    {
        if (string.IsNullOrEmpty(phrAddress))
        {
            return false;
        }

        var at = phrAddress.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == phrAddress.Length - 1 || phrAddress.IndexOf('@', at + 1) >= 0)
        {
            return false;
        }

        foreach (var c in phrAddress)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The rule of <see cref="IsWellFormed"/> in words, for error messages.</summary>
    internal const string Rule = "name@suffix, with exactly one '@' and only ASCII letters, digits, '.', '_' or '-' on each (non-empty) side";
}
