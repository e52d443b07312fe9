using System.Text;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// Cleans free text from the gateway (names, address parts) before it is stored: NFC-normalised, so a decomposed
/// <c>e</c> + U+0301 is stored as the one character <c>é</c> and equal-looking names compare equal; and without
/// control and bidirectional-formatting characters, which a counter screen or a printed token slip would otherwise
/// render invisibly or reorder (U+202E turns the rest of a name around).
/// </summary>
internal static class ProfileText
{
    private static readonly System.Buffers.SearchValues<char> Removed = System.Buffers.SearchValues.Create(BuildRemoved());

    /// <summary>
    /// The text without C0 controls (U+0000-U+001F), DEL and C1 controls (U+007F-U+009F), zero-width and direction
    /// marks (U+200B-U+200F), bidi embeddings and overrides (U+202A-U+202E) and bidi isolates (U+2066-U+2069), then
    /// NFC-normalised. Nothing else changes (no trimming). Text that is not valid UTF-16 (a lone surrogate) is kept
    /// as it is, only without those characters.
    /// </summary>
    /// <param name="text">The text, or null.</param>
    /// <returns>The cleaned text (the same instance when nothing changes), or null for null.</returns>
    public static string? Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var cleaned = text;
        if (text.AsSpan().IndexOfAny(Removed) >= 0)
        {
            var builder = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                if (!IsRemoved(c))
                {
                    builder.Append(c);
                }
            }

            cleaned = builder.ToString();
        }

        try
        {
            return cleaned.IsNormalized(NormalizationForm.FormC) ? cleaned : cleaned.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            // A lone surrogate cannot be normalised: keep the text (defence only; such text fails later where it is serialised).
            return cleaned;
        }
    }

    /// <summary>Whether <see cref="Clean"/> removes the character.</summary>
    /// <param name="c">The character.</param>
    /// <returns>Whether it is one of the removed ranges.</returns>
    public static bool IsRemoved(char c) => c is <= '\u001F'
        or (>= '\u007F' and <= '\u009F')
        or (>= '\u200B' and <= '\u200F')
        or (>= '\u202A' and <= '\u202E')
        or (>= '\u2066' and <= '\u2069');

    private static string BuildRemoved()
    {
        var builder = new StringBuilder();
        for (var c = '\u0000'; c <= '\u2069'; c++)
        {
            if (IsRemoved(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
