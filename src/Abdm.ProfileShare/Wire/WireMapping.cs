using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Wire;

/// <summary>Maps between the generated wire DTOs and the version-independent model.</summary>
internal static class WireMapping
{
    public static PatientGender ToWire(Gender gender) => gender switch
    {
        Gender.Male => PatientGender.M,
        Gender.Female => PatientGender.F,
        Gender.Other => PatientGender.O,
        _ => PatientGender.U,
    };

    public static Gender FromWire(PatientGender gender) => gender switch
    {
        PatientGender.M => Gender.Male,
        PatientGender.F => Gender.Female,
        PatientGender.O => Gender.Other,
        _ => Gender.Unknown,
    };
}
