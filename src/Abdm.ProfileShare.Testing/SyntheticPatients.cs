using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Testing;

/// <summary>
/// Obviously synthetic but realistic patients (PHR addresses <c>...@sbx</c>, mobiles <c>+91-90000000NN</c>,
/// ABHA numbers <c>91-0000-0000-00NN</c>) covering what real traffic carries: every gender code, full dates of
/// birth and year only, with and without a mobile identifier, a <see langword="null"/> ABHA number, partial or
/// missing addresses. The simulator always holds them, so demographic auth works for each.
/// </summary>
public static class SyntheticPatients
{
    /// <summary>Every synthetic patient (at least 12), in a stable order.</summary>
    public static IReadOnlyList<SharedPatientProfile> All { get; } =
    [
        Patient("asha.testpatient@sbx", "91-0000-0000-0001", "Asha Testpatient", Gender.Female, 1990, 2, 27,
            new PatientAddress("12 Sample Street", "Bengaluru Urban", "Karnataka", "560001"), "+91-9000000001",
            [new ProfileIdentifier("MOBILE", "+91-9000000001")]),
        Patient("ravi.sampleuser@sbx", "91-0000-0000-0002", "Ravi Sampleuser", Gender.Male, 1985, 11, 3,
            new PatientAddress("4 Demo Nagar", "Pune", "Maharashtra", "411001"), "+91-9000000002",
            [new ProfileIdentifier("MOBILE", "+91-9000000002"), new ProfileIdentifier("NDHM_HEALTH_NUMBER", "91-0000-0000-0002")]),
        Patient("meena.demo@sbx", null, "Meena Demo", Gender.Female, 1972, null, null,
            new PatientAddress("Plot 7, Fixture Colony", "Jaipur", "Rajasthan", null), "+91-9000000003",
            [new ProfileIdentifier("MOBILE", "+91-9000000003"), new ProfileIdentifier("NDHM_HEALTH_NUMBER", null)]),
        Patient("kiran.fixture@sbx", "91-0000-0000-0004", "Kiran Fixture", Gender.Other, 2001, 6, 15,
            new PatientAddress(null, "Chennai", "Tamil Nadu", "600001"), null, []),
        Patient("arjun.testcase@sbx", "91-0000-0000-0005", "Arjun Testcase", Gender.Male, 1958, null, null,
            new PatientAddress("88 Sandbox Road", "Lucknow", "Uttar Pradesh", "226001"), "+91-9000000005",
            [new ProfileIdentifier("MOBILE", "+91-9000000005")]),
        Patient("lakshmi.mockdata@sbx", null, "Lakshmi Mockdata", Gender.Female, 1995, 1, 9,
            null, null, []),
        Patient("sameer.synthetic@sbx", "91-0000-0000-0007", "Sameer Synthetic", Gender.Male, 2010, 8, 21,
            new PatientAddress("Flat 3B, Example Towers", "Hyderabad", "Telangana", "500001"), "+91-9000000007",
            [new ProfileIdentifier("MR", "+91-9000000007"), new ProfileIdentifier("MOBILE", "+91-9000000007")]),
        Patient("noor.placeholder@sbx", "91-0000-0000-0008", "Noor Placeholder", Gender.Unknown, 1988, null, null,
            new PatientAddress("2 Trial Lane", "Srinagar", "Jammu and Kashmir", "190001"), null,
            [new ProfileIdentifier("NDHM_HEALTH_NUMBER", "91-0000-0000-0008")]),
        Patient("priya.testrecord@sbx", "91-0000-0000-0009", "Priya Testrecord", Gender.Female, 1999, 12, 31,
            new PatientAddress("5 Staging Circle", "Kolkata", "West Bengal", "700001"), "+91-9000000009",
            [new ProfileIdentifier("MOBILE", "+91-9000000009")]),
        Patient("gopal.dummy@sbx", null, "Gopal Dummy", Gender.Male, 1947, null, null,
            new PatientAddress("Old Mock Bazaar", "Patna", "Bihar", null), "+91-9000000010",
            [new ProfileIdentifier("MOBILE", "+91-9000000010"), new ProfileIdentifier("NDHM_HEALTH_NUMBER", null)]),
        Patient("fatima.sample@sbx", "91-0000-0000-0011", "Fatima Sample", Gender.Female, 2018, 3, 5,
            new PatientAddress("9 Example Gali", "Bhopal", "Madhya Pradesh", "462001"), "+91-9000000011",
            [new ProfileIdentifier("MOBILE", "+91-9000000011")]),
        Patient("tenzin.testuser@sbx", "91-0000-0000-0012", "Tenzin Testuser", Gender.Other, 1979, 10, 1,
            new PatientAddress("Monastery Mock Road", "Gangtok", "Sikkim", "737101"), null, []),
        Patient("deepa.qa@sbx", null, "Deepa Qa", Gender.Female, 1966, 4, 30,
            new PatientAddress(null, null, "Kerala", null), "+91-9000000013",
            [new ProfileIdentifier("MOBILE", "+91-9000000013")]),
        Patient("vikram.testdata@sbx", "91-0000-0000-0014", "Vikram Testdata", Gender.Male, 1992, null, null,
            new PatientAddress("14 Fixture Marg", "New Delhi", "Delhi", "110001"), "+91-9000000014",
            [new ProfileIdentifier("MOBILE", "+91-9000000014"), new ProfileIdentifier("HEALTH_ID", "vikram.testdata@sbx")]),
    ];

    private static SharedPatientProfile Patient(
        string healthId, string? abhaNumber, string name, Gender gender, int year, int? month, int? day,
        PatientAddress? address, string? mobile, IReadOnlyList<ProfileIdentifier> identifiers) => new()
        {
            HealthId = healthId,
            AbhaNumber = abhaNumber,
            Name = name,
            Gender = gender,
            YearOfBirth = year,
            MonthOfBirth = month,
            DayOfBirth = day,
            Address = address,
            Mobile = mobile,
            Identifiers = identifiers,
        };
}
