using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Wire;

/// <summary>Maps between the generated wire DTOs and the version-independent model.</summary>
internal static class WireMapping
{
    public static PatientGender ToWire(Gender gender) => gender switch
    {
        Gender.Male => PatientGender.M,
        Gender.Female => PatientGender.F,
        Gender.Other or Gender.Transgender => PatientGender.O, // v0.5 has no T: Other is the closest
        _ => PatientGender.U,
    };

    /// <summary>The v3 gender letter (<c>M F O D T U</c>).</summary>
    public static string ToWireV3(Gender gender) => gender switch
    {
        Gender.Male => "M",
        Gender.Female => "F",
        Gender.Other => "O",
        Gender.Undisclosed => "D",
        Gender.Transgender => "T",
        _ => "U",
    };

    /// <summary>Reads a v3 gender letter; <see langword="null"/> when it is not one of <c>M F O D T U</c>.</summary>
    public static Gender? FromWireV3(string? gender) => gender?.Trim().ToUpperInvariant() switch
    {
        "M" => Gender.Male,
        "F" => Gender.Female,
        "O" => Gender.Other,
        "D" => Gender.Undisclosed,
        "T" => Gender.Transgender,
        "U" => Gender.Unknown,
        _ => null,
    };

    public static Gender FromWire(PatientGender gender) => gender switch
    {
        PatientGender.M => Gender.Male,
        PatientGender.F => Gender.Female,
        PatientGender.O => Gender.Other,
        _ => Gender.Unknown,
    };

    /// <summary>A JWKS entry as the model's <see cref="GatewaySigningKey"/>, its members as sent.</summary>
    public static GatewaySigningKey FromWire(JsonWebKeyDto key) => new()
    {
        KeyId = key.Kid,
        KeyType = key.Kty,
        Use = key.Use,
        Algorithm = key.Alg,
        Modulus = key.N,
        Exponent = key.E,
        X509CertificateChain = key.X5c is { Count: > 0 } chain ? [.. chain] : [],
        X509Thumbprint = key.X5t,
        X509ThumbprintSha256 = key.X5t_S256,
    };
}
