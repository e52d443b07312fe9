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

    // One buffer and writer per thread, reset for each share: the canonical form is written and hashed synchronously,
    // and allocating them per share was most of this hash's cost (about 0.7 KB of the request path's garbage).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    public static string Compute(string hipId, string counterCode, SharedPatientProfile profile)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var json = t_json ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        try
        {
            json.WriteStartArray();
            json.WriteStringValue(Format);
            json.WriteStringValue(hipId);
            json.WriteStringValue(counterCode);
            json.WriteStringValue(profile.HealthId);
            json.WriteStringValue(profile.AbhaNumber);
            json.WriteStringValue(profile.Name);
            json.WriteStringValue(GenderName(profile.Gender));
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
            var identifiers = profile.Identifiers;
            for (var i = 0; i < identifiers.Count; i++)
            {
                var identifier = identifiers[i];
                json.WriteStartArray();
                json.WriteStringValue(identifier.Type);
                json.WriteStringValue(identifier.Value);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndArray();
            json.Flush();
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.WrittenSpan, hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            // Nothing of a patient's profile stays behind in the thread's buffer.
            buffer.Clear();
        }
    }

    // The enum's names, as Enum.ToString gave them (the hash of a stored share must not change), without boxing.
    private static string GenderName(Gender gender) => gender switch
    {
        Gender.Male => nameof(Gender.Male),
        Gender.Female => nameof(Gender.Female),
        Gender.Other => nameof(Gender.Other),
        Gender.Unknown => nameof(Gender.Unknown),
        Gender.Undisclosed => nameof(Gender.Undisclosed),
        Gender.Transgender => nameof(Gender.Transgender),
        _ => gender.ToString(),
    };

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
