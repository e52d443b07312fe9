using System.Globalization;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// Obviously synthetic patients, as many as a test needs (the simulator's 14 would turn most scans into re-scans):
/// PHR addresses <c>durability.patientNNNN@sbx</c>, mobiles <c>+91-90001NNNNN</c>.
/// </summary>
internal static class DurabilityPatients
{
    public static SharedPatientProfile Create(int index) => new()
    {
        HealthId = string.Create(CultureInfo.InvariantCulture, $"durability.patient{index:D4}@sbx"),
        AbhaNumber = index % 3 == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"91-0000-0100-{index:D4}"),
        Name = "Durability Testpatient " + Letters(index),
        Gender = index % 2 == 0 ? Gender.Female : Gender.Male,
        YearOfBirth = 1950 + (index % 60),
        MonthOfBirth = index % 4 == 0 ? null : 1 + (index % 12),
        DayOfBirth = index % 4 == 0 ? null : 1 + (index % 28),
        Mobile = string.Create(CultureInfo.InvariantCulture, $"+91-90001{index:D5}"),
        Identifiers = [new ProfileIdentifier("MOBILE", string.Create(CultureInfo.InvariantCulture, $"+91-90001{index:D5}"))],
    };

    /// <summary>A name part from the index without digits ("Aab", "Aac", ...).</summary>
    private static string Letters(int index) =>
        string.Concat((char)('A' + (index / 676 % 26)), (char)('a' + (index / 26 % 26)), (char)('a' + (index % 26)));
}
