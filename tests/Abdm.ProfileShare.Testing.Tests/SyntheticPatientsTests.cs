using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Testing.Tests;

public sealed class SyntheticPatientsTests
{
    [Fact]
    public void All_CoversTheShapesRealTrafficCarries()
    {
        var patients = SyntheticPatients.All;

        Assert.True(patients.Count >= 12);
        Assert.Equal(patients.Count, patients.Select(p => p.HealthId).Distinct().Count());
        Assert.All(patients, p => Assert.EndsWith("@sbx", p.HealthId, StringComparison.Ordinal));
        Assert.Equal(4, patients.Select(p => p.Gender).Distinct().Count());
        Assert.Contains(patients, p => p.MonthOfBirth is null && p.DayOfBirth is null);
        Assert.Contains(patients, p => p.DayOfBirth is not null);
        Assert.Contains(patients, p => p.AbhaNumber is null);
        Assert.Contains(patients, p => p.Mobile is null);
        Assert.Contains(patients, p => p.Address is null);
        Assert.Contains(patients, p => p.Identifiers.Any(i => i.Type == "NDHM_HEALTH_NUMBER" && i.Value is null));
        Assert.All(patients.Where(p => p.Mobile is not null), p =>
        {
            Assert.StartsWith("+91-90000000", p.Mobile, StringComparison.Ordinal);
            Assert.Contains(p.Identifiers, i => i.Type is "MOBILE" && i.Value == p.Mobile);
        });
        Assert.Contains(patients, p => p.Gender == Gender.Unknown);
    }
}
