using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// Turns a v0.5 or v1.0 share body into the version-independent model. Only what makes an acknowledgement
/// impossible is an error here (no requestId, no PHR address); a profile that is present but unusable for
/// registration is accepted and answered with a FAILURE the patient can read (<see cref="ProfileRules"/>).
/// </summary>
internal static class ShareMapper
{
    public const int MaxHealthIdLength = 256;
    public const int MaxCounterCodeLength = 128;

    public static string? Validate(Guid requestId, SharedProfile? profile)
    {
        if (requestId == Guid.Empty)
        {
            return "requestId is required and must be a non-empty UUID.";
        }

        if (profile?.Patient is null)
        {
            return "profile.patient is required.";
        }

        var healthId = profile.Patient.HealthId;
        if (string.IsNullOrWhiteSpace(healthId))
        {
            return "profile.patient.healthId (the PHR address) is required.";
        }

        if (healthId.Length > MaxHealthIdLength)
        {
            return $"profile.patient.healthId is longer than {MaxHealthIdLength} characters.";
        }

        if (profile.HipCode is { Length: > MaxCounterCodeLength })
        {
            return $"profile.hipCode is longer than {MaxCounterCodeLength} characters.";
        }

        return null;
    }

    public static SharedPatientProfile ToProfile(ProfilePatient patient)
    {
        var identifiers = patient.Identifiers is { Count: > 0 } list
            ? list.Where(i => i is not null).Select(i => new ProfileIdentifier(i.Type ?? "", i.Value)).ToList()
            : [];
        var address = patient.Address is { } a ? new Model.PatientAddress(a.Line, a.District, a.State, a.Pincode) : null;
        return new SharedPatientProfile
        {
            HealthId = patient.HealthId.Trim(),
            AbhaNumber = string.IsNullOrWhiteSpace(patient.HealthIdNumber) ? null : patient.HealthIdNumber.Trim(),
            Name = patient.Name ?? "",
            Gender = WireMapping.FromWire(patient.Gender),
            YearOfBirth = patient.YearOfBirth,
            MonthOfBirth = patient.MonthOfBirth,
            DayOfBirth = patient.DayOfBirth,
            Address = address,
            Mobile = identifiers.FirstOrDefault(i => string.Equals(i.Type, "MOBILE", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(i.Value))?.Value?.Trim(),
            Identifiers = identifiers,
        };
    }

    public static string CounterCode(string? hipCode, string defaultCounterCode) =>
        string.IsNullOrWhiteSpace(hipCode) ? defaultCounterCode : hipCode.Trim();
}

/// <summary>Checks a shared profile is usable for registration; says why not in words for the patient.</summary>
internal static class ProfileRules
{
    public static string? WhyUnusable(SharedPatientProfile profile, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(profile.Name))
        {
            return "Your profile has no name, so the hospital cannot register you from it. Please update your ABHA profile or register at the counter.";
        }

        if (profile.Name.Length > 200)
        {
            return "The name in your profile is too long for the hospital's registration. Please register at the counter.";
        }

        if (profile.YearOfBirth < 1850 || profile.YearOfBirth > today.Year)
        {
            return "The year of birth in your profile is not valid, so the hospital cannot register you from it. Please update your ABHA profile or register at the counter.";
        }

        if (profile.MonthOfBirth is { } month && (month < 1 || month > 12))
        {
            return "The month of birth in your profile is not valid. Please update your ABHA profile or register at the counter.";
        }

        if (profile.DayOfBirth is { } day
            && (day < 1 || day > (profile.MonthOfBirth is { } m and >= 1 and <= 12 ? DateTime.DaysInMonth(profile.YearOfBirth, m) : 31)))
        {
            return "The day of birth in your profile is not valid. Please update your ABHA profile or register at the counter.";
        }

        if (!profile.HealthId.Contains('@', StringComparison.Ordinal))
        {
            return "Your profile has no valid ABHA address, so the hospital cannot register you from it. Please register at the counter.";
        }

        return null;
    }
}
