using System.Globalization;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.V3;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// Turns a v0.5, v1.0 or v3 share body into the version-independent model. Only what makes an acknowledgement
/// impossible is an error here (no requestId, no well-formed PHR address: <see cref="PhrAddress.IsWellFormed"/>); a
/// profile that is present but unusable for registration is accepted and answered with a FAILURE the patient can read
/// (<see cref="ProfileRules"/>). Free text (the name, the address parts) is cleaned by <see cref="ProfileText.Clean"/>:
/// a name that is empty after cleaning is a missing name.
/// </summary>
internal static class ShareMapper
{
    public const int MaxHealthIdLength = 256;
    public const int MaxCounterCodeLength = 128;

    /// <summary>The v3 counter id (<c>metaData.context</c>) may be up to 250 characters (NHA's pattern).</summary>
    public const int MaxCounterCodeLengthV3 = 250;

    /// <summary>The only v3 intent a registration counter serves.</summary>
    public const string ProfileShareIntent = "PROFILE_SHARE";

    /// <summary>
    /// Checks a v3 share can be acknowledged; returns why not (naming the field) and the ABDM code to answer with.
    /// </summary>
    public static (string? Error, string? Code) ValidateV3(Guid requestId, ShareProfileV3Request share)
    {
        if (requestId == Guid.Empty)
        {
            return ("The REQUEST-ID header is required and must be a non-empty UUID.", "ABDM-2404");
        }

        if (!string.IsNullOrWhiteSpace(share.Intent) && !string.Equals(share.Intent.Trim(), ProfileShareIntent, StringComparison.OrdinalIgnoreCase))
        {
            return (share.Intent.Trim().ToUpperInvariant() is "RECORD_SHARE" or "PAYMENT_SHARE"
                ? $"intent {share.Intent.Trim().ToUpperInvariant()} is not supported at this HIP: a registration counter accepts PROFILE_SHARE."
                : "intent is not one of PROFILE_SHARE, RECORD_SHARE, PAYMENT_SHARE; this HIP accepts PROFILE_SHARE.", "ABDM-1149");
        }

        var context = share.MetaData?.Context;
        if (string.IsNullOrWhiteSpace(context))
        {
            return ("metaData.context (the counter id) is required.", "ABDM-1050");
        }

        if (context.Length > MaxCounterCodeLengthV3)
        {
            return ($"metaData.context is longer than {MaxCounterCodeLengthV3} characters.", "ABDM-1050");
        }

        var patient = share.Profile?.Patient;
        if (patient is null)
        {
            return ("profile.patient is required for PROFILE_SHARE.", "ABDM-1102");
        }

        if (string.IsNullOrWhiteSpace(patient.AbhaAddress))
        {
            return ("profile.patient.abhaAddress (the ABHA address) is required.", "ABDM-1006");
        }

        if (patient.AbhaAddress.Length > MaxHealthIdLength)
        {
            return ($"profile.patient.abhaAddress is longer than {MaxHealthIdLength} characters.", "ABDM-1006");
        }

        if (!PhrAddress.IsWellFormed(patient.AbhaAddress.Trim()))
        {
            return ($"profile.patient.abhaAddress must be an ABHA address {PhrAddress.Rule}.", "ABDM-1006");
        }

        if (WireMapping.FromWireV3(patient.Gender) is null)
        {
            return ("profile.patient.gender must be one of M, F, O, D, T, U.", "ABDM-1006");
        }

        return (null, null);
    }

    /// <summary>
    /// A v3 patient in the version-independent model. Birth parts arrive as strings (<c>"6"</c>): one that is not a
    /// number becomes 0, which <see cref="ProfileRules"/> answers with a FAILURE the patient can read.
    /// </summary>
    public static SharedPatientProfile ToProfile(SharedPatientV3 patient)
    {
        var address = patient.Address is { } a ? Address(a.Line, a.District, a.State, a.Pincode) : null;
        var mobile = string.IsNullOrWhiteSpace(patient.PhoneNumber) ? null : patient.PhoneNumber.Trim();
        return new SharedPatientProfile
        {
            HealthId = patient.AbhaAddress.Trim(),
            AbhaNumber = string.IsNullOrWhiteSpace(patient.AbhaNumber) ? null : patient.AbhaNumber.Trim(),
            Name = ProfileText.Clean(patient.Name) ?? "",
            Gender = WireMapping.FromWireV3(patient.Gender) ?? Gender.Unknown,
            YearOfBirth = BirthPart(patient.YearOfBirth) ?? 0,
            MonthOfBirth = BirthPart(patient.MonthOfBirth),
            DayOfBirth = BirthPart(patient.DayOfBirth),
            Address = address,
            Mobile = mobile,
            Identifiers = mobile is null ? [] : [new ProfileIdentifier("MOBILE", mobile)],
        };
    }

    /// <summary>An address with every part cleaned (<see cref="ProfileText.Clean"/>).</summary>
    private static Model.PatientAddress Address(string? line, string? district, string? state, string? pincode) =>
        new(ProfileText.Clean(line), ProfileText.Clean(district), ProfileText.Clean(state), ProfileText.Clean(pincode));

    /// <summary>A birth part as sent: empty or null is unknown; a number is itself; anything else is 0 (invalid).</summary>
    private static int? BirthPart(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : 0;

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

        if (!PhrAddress.IsWellFormed(healthId.Trim()))
        {
            return $"profile.patient.healthId must be a PHR address {PhrAddress.Rule}.";
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
        var address = patient.Address is { } a ? Address(a.Line, a.District, a.State, a.Pincode) : null;
        return new SharedPatientProfile
        {
            HealthId = patient.HealthId.Trim(),
            AbhaNumber = string.IsNullOrWhiteSpace(patient.HealthIdNumber) ? null : patient.HealthIdNumber.Trim(),
            Name = ProfileText.Clean(patient.Name) ?? "",
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
