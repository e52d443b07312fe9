using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;
using ModelAddress = Abdm.ProfileShare.Model.PatientAddress;
using WireAddress = Abdm.ProfileShare.Wire.PatientAddress;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>Builds the bodies the simulator sends, from the generated wire DTOs.</summary>
internal static class WireBuilder
{
    public const string ShareV05Path = "/v0.5/patients/profile/share";
    public const string ShareV10Path = "/v1.0/patients/profile/share";
    public const string OnInitPath = "/v0.5/users/auth/on-init";
    public const string OnConfirmPath = "/v0.5/users/auth/on-confirm";
    public const string ShareV3Path = "/api/v3/hip/patient/share";
    public const string OnGenerateTokenPath = "/api/v3/hip/token/on-generate-token";
    public const string RunningTokenStatusPath = "/api/v3/hip/patient/running-token/status";

    /// <summary>v1.0 <c>location</c> defaults (a share's latitude and longitude when the scan gives none).</summary>
    public const string V10Latitude = "12.9716";
    public const string V10Longitude = "77.5946";

    /// <summary>v3 <c>metaData</c> defaults: the values of the sandbox share in CONTRACT-v3 §1, as strings.</summary>
    public const string V3Latitude = "12.97";
    public const string V3Longitude = "77.71";

    /// <summary>The share body exactly as ABDM's documentation shows it (v1.0 adds <c>intent</c> and <c>location</c>).</summary>
    public static byte[] Share(SimulatedScan scan, Guid requestId, DateTimeOffset timestamp)
    {
        var profile = new SharedProfile { HipCode = scan.CounterCode, Patient = Patient(scan.Patient) };
        if (scan.Version == WireVersion.V10)
        {
            var v10 = new ShareProfileRequestV1
            {
                RequestId = requestId,
                Timestamp = timestamp,
                Intent = new ShareProfileIntent { Type = "PROFILE_SHARE" },
                Location = new Location { Latitude = scan.Latitude ?? V10Latitude, Longitude = scan.Longitude ?? V10Longitude },
                Profile = profile,
            };
            return JsonSerializer.SerializeToUtf8Bytes(v10, SimulatorJson.Shares.ShareProfileRequestV1);
        }

        var v05 = new ShareProfileRequest { RequestId = requestId, Timestamp = timestamp, Profile = profile };
        return JsonSerializer.SerializeToUtf8Bytes(v05, SimulatorJson.Shares.ShareProfileRequest);
    }

    /// <summary>
    /// The v3 share in the real sandbox's shape (CONTRACT-v3 §1 "Observed example"): <c>intent</c> a string,
    /// coordinates and birth parts as strings, <c>abhaNumber</c> dashed or <see langword="null"/>, <c>hprId</c> and an
    /// absent <c>phoneNumber</c> as <see langword="null"/>, <c>address</c> always present.
    /// </summary>
    public static byte[] ShareV3(SimulatedScan scan)
    {
        var patient = scan.Patient;
        var address = patient.Address;
        var body = new V3ShareRequest(
            "PROFILE_SHARE",
            new V3ShareMetaData(scan.HipId, scan.CounterCode, null, scan.Latitude ?? V3Latitude, scan.Longitude ?? V3Longitude),
            new V3ShareProfile(new V3SharePatient(
                patient.AbhaNumber,
                patient.HealthId,
                patient.Name,
                ToWireV3(patient.Gender),
                Text(patient.DayOfBirth),
                Text(patient.MonthOfBirth),
                patient.YearOfBirth.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new V3Address(address?.Line, address?.District, address?.State, address?.Pincode),
                MobileOf(patient))));
        return JsonSerializer.SerializeToUtf8Bytes(body, SimulatorJson.Shares.V3ShareRequest);
    }

    public static byte[] OnGenerateToken(Guid generateTokenRequestId, string abhaAddress, string linkToken) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new V3LinkTokenResult(abhaAddress, linkToken, new V3ResponseReference(generateTokenRequestId)), SimulatorJson.Shares.V3LinkTokenResult);

    /// <summary>An on-generate-token carrying an error (<c>ABDM-1051</c>, <c>ABDM-1027</c>) and no token.</summary>
    public static byte[] OnGenerateTokenError(Guid generateTokenRequestId, string code, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new V3LinkTokenError(new V3Error(code, message), new V3ResponseReference(generateTokenRequestId)), SimulatorJson.Shares.V3LinkTokenError);

    public static byte[] OnInit(Guid requestId, DateTimeOffset timestamp, Guid initRequestId, string? transactionId, DateTimeOffset expiry, Error? error)
    {
        var body = new PatientAuthInitResponse
        {
            RequestId = requestId,
            Timestamp = timestamp,
            Auth = transactionId is null
                ? null
                : new PatientAuthInitResult
                {
                    TransactionId = transactionId,
                    Mode = AuthenticationMode.DEMOGRAPHICS,
                    Meta = new AuthMeta { Hint = null, Expiry = GatewayTimestampConverter.ToText(expiry) },
                },
            Error = error,
            Resp = new RequestReference { RequestId = initRequestId },
        };
        return JsonSerializer.SerializeToUtf8Bytes(body, SimulatorJson.Callbacks.PatientAuthInitResponse);
    }

    public static byte[] OnConfirm(Guid requestId, DateTimeOffset timestamp, Guid confirmRequestId, string? linkingToken, Error? error)
    {
        var body = new PatientAuthConfirmResponse
        {
            RequestId = requestId,
            Timestamp = timestamp,
            Auth = linkingToken is null ? null : new PatientAuthConfirmResult { AccessToken = linkingToken, Patient = null },
            Error = error,
            Resp = new RequestReference { RequestId = confirmRequestId },
        };
        return JsonSerializer.SerializeToUtf8Bytes(body, SimulatorJson.Callbacks.PatientAuthConfirmResponse);
    }

    public static PatientGender ToWire(Gender gender) => gender switch
    {
        Gender.Male => PatientGender.M,
        Gender.Female => PatientGender.F,
        Gender.Other or Gender.Transgender => PatientGender.O,
        _ => PatientGender.U,
    };

    /// <summary>The v3 gender letter (<c>M F O D T U</c>; v3 adds D and T).</summary>
    public static string ToWireV3(Gender gender) => gender switch
    {
        Gender.Male => "M",
        Gender.Female => "F",
        Gender.Other => "O",
        Gender.Undisclosed => "D",
        Gender.Transgender => "T",
        _ => "U",
    };

    /// <summary>The mobile demographic auth compares against: <see cref="SharedPatientProfile.Mobile"/>, else the MOBILE identifier.</summary>
    public static string? MobileOf(SharedPatientProfile patient) =>
        patient.Mobile ?? patient.Identifiers.FirstOrDefault(i => string.Equals(i.Type, "MOBILE", StringComparison.Ordinal))?.Value;

    private static string? Text(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ProfilePatient Patient(SharedPatientProfile patient) => new()
    {
        HealthId = patient.HealthId,
        HealthIdNumber = patient.AbhaNumber,
        Name = patient.Name,
        Gender = ToWire(patient.Gender),
        Address = Address(patient.Address),
        YearOfBirth = patient.YearOfBirth,
        DayOfBirth = patient.DayOfBirth,
        MonthOfBirth = patient.MonthOfBirth,
        Identifiers = Identifiers(patient),
    };

    private static WireAddress? Address(ModelAddress? address) =>
        address is null ? null : new WireAddress { Line = address.Line, District = address.District, State = address.State, Pincode = address.Pincode };

    private static List<Identifier>? Identifiers(SharedPatientProfile patient)
    {
        var identifiers = new List<Identifier>();
        foreach (var identifier in patient.Identifiers)
        {
            if (!string.IsNullOrWhiteSpace(identifier.Type))
            {
                identifiers.Add(new Identifier { Type = identifier.Type, Value = identifier.Value });
            }
        }

        if (identifiers.Count == 0 && !string.IsNullOrWhiteSpace(patient.Mobile))
        {
            identifiers.Add(new Identifier { Type = "MOBILE", Value = patient.Mobile });
        }

        return identifiers.Count == 0 ? null : identifiers;
    }
}
