using System.Globalization;

namespace Abdm.ProfileShare.Model;

/// <summary>
/// The demographics a patient shared by scanning a counter's QR code, independent of the wire version.
/// </summary>
/// <remarks>
/// This is patient data: <see cref="ToString"/> never prints it, and the library never logs it.
/// The demographic confirm step of the linking chain repeats <see cref="Name"/>, <see cref="Gender"/> and
/// <see cref="AuthDateOfBirth"/> exactly as shared.
/// </remarks>
public sealed record SharedPatientProfile
{
    /// <summary>The PHR (ABHA) address, for example <c>test@sbx</c>.</summary>
    public required string HealthId { get; init; }

    /// <summary>The linked 14-digit ABHA number, when the gateway sent one.</summary>
    public string? AbhaNumber { get; init; }

    /// <summary>The patient's name, exactly as shared.</summary>
    public required string Name { get; init; }

    /// <summary>The patient's gender.</summary>
    public required Gender Gender { get; init; }

    /// <summary>Year of birth.</summary>
    public required int YearOfBirth { get; init; }

    /// <summary>Month of birth (1-12), when shared.</summary>
    public int? MonthOfBirth { get; init; }

    /// <summary>Day of birth (1-31), when shared.</summary>
    public int? DayOfBirth { get; init; }

    /// <summary>The address, when shared.</summary>
    public PatientAddress? Address { get; init; }

    /// <summary>The mobile number: the value of the identifier whose type is <c>MOBILE</c>.</summary>
    public string? Mobile { get; init; }

    /// <summary>Every identifier as shared.</summary>
    public IReadOnlyList<ProfileIdentifier> Identifiers { get; init; } = [];

    /// <summary>
    /// The consent manager id: the suffix of the PHR address (<c>test@sbx</c> gives <c>sbx</c>), or
    /// <see langword="null"/> when the address has no suffix.
    /// </summary>
    public string? ConsentManagerId => ConsentManager.FromHealthId(HealthId);

    /// <summary>
    /// The date of birth as the demographic confirm step sends it: <c>YYYY-MM-DD</c>, with month and day
    /// <c>01</c> when they were not shared.
    /// </summary>
    public string AuthDateOfBirth => string.Create(CultureInfo.InvariantCulture,
        $"{YearOfBirth:D4}-{MonthOfBirth ?? 1:D2}-{DayOfBirth ?? 1:D2}");

    /// <summary>The age in whole years on <paramref name="today"/>, from the parts that were shared.</summary>
    /// <param name="today">The local date.</param>
    /// <returns>The age in years.</returns>
    public int AgeOn(DateOnly today)
    {
        var age = today.Year - YearOfBirth;
        if (MonthOfBirth is { } month && (today.Month < month || (today.Month == month && DayOfBirth is { } day && today.Day < day)))
        {
            age--;
        }

        return Math.Max(age, 0);
    }

    /// <inheritdoc />
    public override string ToString() => "SharedPatientProfile { redacted }";
}
