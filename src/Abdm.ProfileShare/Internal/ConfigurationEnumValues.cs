using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Configuration;

namespace Abdm.ProfileShare.Internal;

/// <summary>
/// Checks the enum-valued keys of the <c>AbdmProfileShare</c> section before the binder reads them, so a typo names
/// its key and the valid values instead of the binder's "Failed to convert configuration value" message, and turns
/// the spellings ABDM's documents use for wire versions (<c>v0.5</c>, <c>v1.0</c>, <c>v3</c>) into the enum names.
/// </summary>
internal static class ConfigurationEnumValues
{
    /// <summary>Spellings of <see cref="WireVersion"/> beyond its names (case-insensitive).</summary>
    private static readonly Dictionary<string, string> WireVersionAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["v0.5"] = nameof(WireVersion.V05),
        ["0.5"] = nameof(WireVersion.V05),
        ["v1.0"] = nameof(WireVersion.V10),
        ["1.0"] = nameof(WireVersion.V10),
        ["v1"] = nameof(WireVersion.V10),
        ["3"] = nameof(WireVersion.V3),
        ["v3.0"] = nameof(WireVersion.V3),
    };

    /// <summary>
    /// Returns the section to bind: <paramref name="section"/> itself, or, when a value is spelled another accepted
    /// way, the section with that value replaced by the enum name. Throws when a value is not accepted, naming
    /// every such key with its valid values.
    /// </summary>
    public static IConfiguration Normalize(IConfiguration section)
    {
        var problems = new List<string>();
        var replacements = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Check<WireVersion>(section, nameof(AbdmProfileShareOptions.WireVersion), WireVersionAliases, " (v0.5, v1.0 and v3 are accepted too)", problems, replacements);
        Check<LinkingStart>(section, "Linking:Start", null, "", problems, replacements);
        Check<TokenExpiryUnit>(section, "V3:ExpiryUnit", null, "", problems, replacements);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        if (replacements.Count == 0)
        {
            return section;
        }

        return new ConfigurationBuilder()
            .AddConfiguration(section, shouldDisposeConfiguration: false)
            .AddInMemoryCollection(replacements)
            .Build();
    }

    private static void Check<TEnum>(
        IConfiguration section, string key, Dictionary<string, string>? aliases, string aliasNote, List<string> problems, Dictionary<string, string?> replacements)
        where TEnum : struct, Enum
    {
        if (section[key] is not { } raw)
        {
            return;
        }

        var value = raw.Trim();
        if (aliases is not null && aliases.TryGetValue(value, out var name))
        {
            replacements[key] = name;
            return;
        }

        // Names only: Enum.TryParse also takes numbers ("7"), which are not values anyone means.
        if (value.Length > 0 && !char.IsAsciiDigit(value[0]) && value[0] != '-' && Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            if (!string.Equals(value, raw, StringComparison.Ordinal))
            {
                replacements[key] = parsed.ToString();
            }

            return;
        }

        var path = section is IConfigurationSection { Path: { Length: > 0 } sectionPath } ? sectionPath + ":" + key : key;
        problems.Add($"{path} is '{raw}', which is not one of its values: use {string.Join(", ", Enum.GetNames<TEnum>())}{aliasNote}.");
    }
}
