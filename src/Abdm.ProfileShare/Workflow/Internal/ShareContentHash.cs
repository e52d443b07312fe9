using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// The content hash of a share (<see cref="Storage.ShareIntake.ContentHash"/>): SHA-256, lower-case hex, of a
/// canonical form of what the share asks for (the HIP, the counter and the normalised profile). Two bodies with the
/// same requestId and the same hash asked for the same thing; a different hash means the gateway (or someone) reused
/// a requestId for another body.
/// </summary>
/// <remarks>
/// The canonical form is a JSON array with every field in a fixed order, each written explicitly (not the stored
/// document, whose shape may grow), led by a format tag so a later change of the form is a new tag. It is computed
/// from the mapped profile, so the wire version, field order, whitespace and anything the mapping cleans away do not
/// count.
/// </remarks>
internal static class ShareContentHash
{
    private const string Format = "share-content/1";

    public static string Compute(string hipId, string counterCode, SharedPatientProfile profile)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(Format);
            json.WriteStringValue(hipId);
            json.WriteStringValue(counterCode);
            json.WriteStringValue(profile.HealthId);
            json.WriteStringValue(profile.AbhaNumber);
            json.WriteStringValue(profile.Name);
            json.WriteStringValue(profile.Gender.ToString());
            json.WriteNumberValue(profile.YearOfBirth);
            WriteNumber(json, profile.MonthOfBirth);
            WriteNumber(json, profile.DayOfBirth);
            if (profile.Address is { } address)
            {
                json.WriteStartArray();
                json.WriteStringValue(address.Line);
                json.WriteStringValue(address.District);
                json.WriteStringValue(address.State);
                json.WriteStringValue(address.Pincode);
                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }

            json.WriteStringValue(profile.Mobile);
            json.WriteStartArray();
            foreach (var identifier in profile.Identifiers)
            {
                json.WriteStartArray();
                json.WriteStringValue(identifier.Type);
                json.WriteStringValue(identifier.Value);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteNumber(Utf8JsonWriter json, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumberValue(number);
        }
        else
        {
            json.WriteNullValue();
        }
    }
}
