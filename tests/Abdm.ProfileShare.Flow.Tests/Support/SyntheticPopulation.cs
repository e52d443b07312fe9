using System.Globalization;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.FlowTests.Support;

/// <summary>
/// Any number of distinct, obviously synthetic patients: PHR addresses <c>flowtest.patientNNNN@sbx</c>, names
/// <c>Flowtest Patient NNNN</c>, mobiles <c>+91-91000NNNNN</c>, ABHA numbers <c>91-0000-1000-NNNN</c>.
/// Genders, full and year-only dates of birth, with and without a mobile, vary with the index.
/// </summary>
internal static class SyntheticPopulation
{
    public static IReadOnlyList<SharedPatientProfile> Create(int count) =>
        [.. Enumerable.Range(1, count).Select(Patient)];

    public static SharedPatientProfile Patient(int index)
    {
        var number = index.ToString("D4", CultureInfo.InvariantCulture);
        var mobile = index % 7 == 0 ? null : "+91-91000" + index.ToString("D5", CultureInfo.InvariantCulture);
        var yearOnly = index % 5 == 0;
        return new SharedPatientProfile
        {
            HealthId = $"flowtest.patient{number}@sbx",
            AbhaNumber = index % 3 == 0 ? null : $"91-0000-1000-{number}",
            Name = $"Flowtest Patient {number}",
            Gender = (index % 4) switch { 0 => Gender.Male, 1 => Gender.Female, 2 => Gender.Other, _ => Gender.Unknown },
            YearOfBirth = 1940 + (index % 80),
            MonthOfBirth = yearOnly ? null : 1 + (index % 12),
            DayOfBirth = yearOnly ? null : 1 + (index % 28),
            Address = new PatientAddress($"{index} Synthetic Street", "Test District", "Test State", "560001"),
            Mobile = mobile,
            Identifiers = mobile is null ? [] : [new ProfileIdentifier("MOBILE", mobile)],
        };
    }
}
