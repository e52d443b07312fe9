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

    /// <summary>The v3 intent of the registration flow.</summary>
    public const string ProfileShareIntent = "PROFILE_SHARE";

    /// <summary>The keys a v3 <c>metaData</c> may carry (NHA's schema, CONTRACT-v3 section 1); any other is <c>ABDM-1050</c>.</summary>
    public static readonly IReadOnlyList<string> MetaDataKeys = ["hipId", "context", "hprId", "latitude", "longitude"];

    /// <summary>The longest unknown key a refusal names; a longer or unusual one is described, not quoted.</summary>
    private const int MaxQuotedKeyLength = 64;

    /// <summary>
    /// Checks a v3 share can be acknowledged (or handed to the host's intent handler); returns why not (naming the
    /// field or header, never a patient's value) and the ABDM code to answer with, and the share's intent.
    /// </summary>
    /// <param name="requestId">The <c>REQUEST-ID</c> header, parsed (empty when missing or malformed).</param>
    /// <param name="hipId">The <c>X-HIP-ID</c> header (a HIP this host serves).</param>
    /// <param name="share">The body.</param>
    /// <param name="intentsHandled">Whether an <see cref="IShareIntentHandler"/> is registered.</param>
    public static (string? Error, string? Code, ShareIntent Intent) ValidateV3(Guid requestId, string hipId, ShareProfileV3Request share, bool intentsHandled)
    {
        if (requestId == Guid.Empty)
        {
            return ("The REQUEST-ID header is required and must be a non-empty UUID.", "ABDM-2404", ShareIntent.ProfileShare);
        }

        var intent = ParseIntent(share.Intent);
        if (intent is null)
        {
            return ("intent is not one of PROFILE_SHARE, RECORD_SHARE, PAYMENT_SHARE.", "ABDM-1049", ShareIntent.ProfileShare);
        }

        if (intent != ShareIntent.ProfileShare && !intentsHandled)
        {
            return ($"intent {IntentName(intent.Value)} is not supported at this HIP: it accepts PROFILE_SHARE.", "ABDM-1149", intent.Value);
        }

        if (share.MetaData.AdditionalProperties is { Count: > 0 } unknown)
        {
            return ($"metaData has an unknown key {DescribeKey(unknown.Keys.First())}: the keys are {string.Join(", ", MetaDataKeys)}.", "ABDM-1050", intent.Value);
        }

        var context = share.MetaData.Context;
        if (string.IsNullOrWhiteSpace(context))
        {
            return ("metaData.context (the counter id) is required.", "ABDM-1050", intent.Value);
        }

        if (context.Length > MaxCounterCodeLengthV3)
        {
            return ($"metaData.context is longer than {MaxCounterCodeLengthV3} characters.", "ABDM-1050", intent.Value);
        }

        // The QR's hip-id travels both as metaData.hipId and as X-HIP-ID; a share whose two disagree was routed for
        // one HIP and speaks for another. Absent (or null) is accepted, as before.
        if (!string.IsNullOrWhiteSpace(share.MetaData.HipId) && !string.Equals(share.MetaData.HipId.Trim(), hipId, StringComparison.Ordinal))
        {
            return ("metaData.hipId differs from the X-HIP-ID header: both must name the same HIP.", "ABDM-1035", intent.Value);
        }

        var patient = share.Profile?.Patient;
        if (patient is null)
        {
            return ("profile.patient is required.", "ABDM-1102", intent.Value);
        }

        if (string.IsNullOrWhiteSpace(patient.AbhaAddress))
        {
            return ("profile.patient.abhaAddress (the ABHA address) is required.", "ABDM-1006", intent.Value);
        }

        if (patient.AbhaAddress.Length > MaxHealthIdLength)
        {
            return ($"profile.patient.abhaAddress is longer than {MaxHealthIdLength} characters.", "ABDM-1006", intent.Value);
        }

        if (!PhrAddress.IsWellFormed(patient.AbhaAddress.Trim()))
        {
            return ($"profile.patient.abhaAddress must be an ABHA address {PhrAddress.Rule}.", "ABDM-1006", intent.Value);
        }

        if (WireMapping.FromWireV3(patient.Gender) is null)
        {
            return ("profile.patient.gender must be one of M, F, O, D, T, U.", "ABDM-1006", intent.Value);
        }

        return (null, null, intent.Value);
    }

    /// <summary>A v3 intent: none (null or blank) is PROFILE_SHARE; case and surrounding spaces are ignored; null when unknown.</summary>
    internal static ShareIntent? ParseIntent(string? intent) =>
        string.IsNullOrWhiteSpace(intent) ? ShareIntent.ProfileShare
        : intent.Trim().ToUpperInvariant() switch
        {
            ProfileShareIntent => ShareIntent.ProfileShare,
            "RECORD_SHARE" => ShareIntent.RecordShare,
            "PAYMENT_SHARE" => ShareIntent.PaymentShare,
            _ => null,
        };

    /// <summary>The wire name of an intent.</summary>
    internal static string IntentName(ShareIntent intent) => intent switch
    {
        ShareIntent.RecordShare => "RECORD_SHARE",
        ShareIntent.PaymentShare => "PAYMENT_SHARE",
        _ => ProfileShareIntent,
    };

    /// <summary>
    /// The <c>metaData</c> keys other than the counter, as text: the strings trimmed, the coordinates in invariant
    /// culture; a null or blank value is left out.
    /// </summary>
    public static IReadOnlyDictionary<string, string> MetaDataOf(ShareMetaDataV3 metaData)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(values, "hipId", metaData.HipId);
        Add(values, "hprId", metaData.HprId);
        Add(values, "latitude", metaData.Latitude?.ToString("R", CultureInfo.InvariantCulture));
        Add(values, "longitude", metaData.Longitude?.ToString("R", CultureInfo.InvariantCulture));
        return values;

        static void Add(Dictionary<string, string> values, string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                values[key] = value.Trim();
            }
        }
    }

    /// <summary>
    /// An unknown key for a refusal: quoted when it is a plain name (letters, digits, <c>_</c>, <c>-</c>, <c>.</c>; at
    /// most 64 characters), else described without its text.
    /// </summary>
    private static string DescribeKey(string key) =>
        key.Length is > 0 and <= MaxQuotedKeyLength && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
            ? $"'{key}'"
            : "(a name that is not a plain identifier)";

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
        List<ProfileIdentifier> identifiers;
        if (patient.Identifiers is { Count: > 0 } list)
        {
            identifiers = new List<ProfileIdentifier>(list.Count);
            foreach (var identifier in list)
            {
                if (identifier is not null)
                {
                    identifiers.Add(new ProfileIdentifier(identifier.Type ?? "", identifier.Value));
                }
            }
        }
        else
        {
            identifiers = [];
        }

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
