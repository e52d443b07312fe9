using System.Globalization;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Sample.Display;

/// <summary>How patient data is shown on screen (the sample never logs it).</summary>
internal static class PatientText
{
    /// <summary>The ABHA number with every digit but the last four hidden: <c>XX-XXXX-XXXX-0001</c>.</summary>
    public static string MaskedAbhaNumber(string? abhaNumber)
    {
        var digits = new string((abhaNumber ?? "").Where(char.IsAsciiDigit).ToArray());
        if (digits.Length < 4)
        {
            return "Not shared";
        }

        var last4 = digits[^4..];
        return digits.Length == 14 ? $"XX-XXXX-XXXX-{last4}" : $"ending {last4}";
    }

    /// <summary>What a screen reader should say for the masked ABHA number.</summary>
    public static string MaskedAbhaNumberLabel(string? abhaNumber)
    {
        var digits = new string((abhaNumber ?? "").Where(char.IsAsciiDigit).ToArray());
        return digits.Length < 4 ? "ABHA number not shared" : $"ABHA number ending {string.Join(' ', digits[^4..].ToCharArray())}";
    }

    public static string Gender(Gender gender) => gender switch
    {
        Model.Gender.Male => "Male",
        Model.Gender.Female => "Female",
        Model.Gender.Other => "Other",
        _ => "Not stated",
    };

    public static string DateOfBirth(int year, int? month, int? day) => (month, day) switch
    {
        ({ } m, { } d) => new DateOnly(year, m, d).ToString("d MMM yyyy", CultureInfo.InvariantCulture),
        ({ } m, null) => new DateOnly(year, m, 1).ToString("MMM yyyy", CultureInfo.InvariantCulture),
        _ => year.ToString(CultureInfo.InvariantCulture) + " (year only)",
    };

    public static string Address(PatientAddress? address)
    {
        if (address is null)
        {
            return "";
        }

        return string.Join(", ", new[] { address.Line, address.District, address.State, address.Pincode }.Where(p => !string.IsNullOrWhiteSpace(p)));
    }
}
