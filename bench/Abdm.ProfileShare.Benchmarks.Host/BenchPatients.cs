using System.Globalization;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Benchmarks.Host;

/// <summary>Obviously synthetic patients with distinct PHR addresses (<c>bench.NNNNNN@sbx</c>).</summary>
internal static class BenchPatients
{
    public static SharedPatientProfile Create(int index)
    {
        var number = index.ToString("D6", CultureInfo.InvariantCulture);
        var mobile = "+91-9000" + number;
        return new SharedPatientProfile
        {
            HealthId = $"bench.{number}@sbx",
            AbhaNumber = null,
            Name = "Bench Testpatient " + number,
            Gender = (index % 2) == 0 ? Gender.Female : Gender.Male,
            YearOfBirth = 1950 + (index % 60),
            MonthOfBirth = 1 + (index % 12),
            DayOfBirth = 1 + (index % 28),
            Address = new PatientAddress("12 Sample Street", "Bengaluru Urban", "Karnataka", "560001"),
            Mobile = mobile,
            Identifiers = [new ProfileIdentifier("MOBILE", mobile)],
        };
    }

    /// <summary>The documented v0.5 share for a synthetic patient, as bytes.</summary>
    public static byte[] ShareBody(Guid requestId, int index) => System.Text.Encoding.UTF8.GetBytes(ShareTemplate
        .Replace("$REQUEST", requestId.ToString(), StringComparison.Ordinal)
        .Replace("$N", index.ToString("D6", CultureInfo.InvariantCulture), StringComparison.Ordinal));

    /// <summary>The documented v0.5 share shape (bench/wrk/share.lua sends the same), <c>$REQUEST</c> and <c>$N</c> to fill.</summary>
    public const string ShareTemplate =
        """{"requestId":"$REQUEST","timestamp":"2022-05-10T14:19:12.993Z","profile":{"hipCode":"counter-1","patient":{"healthId":"bench.$N@sbx","healthIdNumber":null,"name":"Bench Testpatient $N","gender":"F","address":{"line":"12 Sample Street","district":"Bengaluru Urban","state":"Karnataka","pincode":"560001"},"yearOfBirth":1990,"dayOfBirth":27,"monthOfBirth":2,"identifiers":[{"type":"MOBILE","value":"+91-9000$N"}]}}}""";
}
