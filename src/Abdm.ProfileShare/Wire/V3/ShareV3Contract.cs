using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Abdm.ProfileShare.Wire.V3;

/// <summary>
/// The contract the v3 share callback is read with: <see cref="AbdmV3JsonContext"/>'s, lenient for numbers sent as
/// strings and strings sent as numbers (birth parts, coordinates, the counter id), except for the patient's identifiers,
/// which stay strings (<see cref="StrictIdentifiers"/>).
/// </summary>
internal static class ShareV3Contract
{
    /// <summary>The patient identifiers read strictly as JSON strings (<see cref="SharedPatientV3"/>).</summary>
    public static readonly IReadOnlyList<string> StrictPatientFields = ["abhaAddress", "abhaNumber"];

    /// <summary>The share body's contract (source-generated metadata, with <see cref="StrictIdentifiers"/> applied).</summary>
    public static JsonTypeInfo<ShareProfileV3Request> ShareRequest { get; } = Create();

    private static JsonTypeInfo<ShareProfileV3Request> Create()
    {
        var options = new JsonSerializerOptions(AbdmV3JsonContext.Default.Options)
        {
            TypeInfoResolver = AbdmV3JsonContext.Default.WithAddedModifier(StrictIdentifiers),
        };
        options.MakeReadOnly();
        return (JsonTypeInfo<ShareProfileV3Request>)options.GetTypeInfo(typeof(ShareProfileV3Request));
    }

    /// <summary>Gives <c>profile.patient.abhaAddress</c> and <c>abhaNumber</c> the <see cref="StrictStringConverter"/>.</summary>
    internal static void StrictIdentifiers(JsonTypeInfo info)
    {
        if (info.Type != typeof(SharedPatientV3))
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            if (StrictPatientFields.Contains(property.Name, StringComparer.Ordinal))
            {
                property.CustomConverter = StrictStringConverter.Instance;
            }
        }
    }
}
