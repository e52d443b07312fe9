using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Abdm.ProfileShare.Wire.Internal;

/// <summary>
/// One forward pass over a callback body with <see cref="Utf8JsonReader"/>, before it is deserialized: the root
/// must be an object; nesting, string and property-name lengths are limited; strings must be valid UTF-8;
/// duplicate property names (case-insensitive, as the serializer matches them) are refused; enum fields must be
/// JSON strings naming the value (the serializer would also take numbers, which map to undefined values).
/// </summary>
/// <remarks>Errors name the JSON path (unknown property names shown as <c>?</c>) and never a value.</remarks>
internal static class SecurityJsonScanner
{
    /// <summary>The longest accepted number token, in characters.</summary>
    internal const int MaxNumberLength = 64;

    /// <summary>Scans <paramref name="json"/>.</summary>
    /// <returns>An error message, or <see langword="null"/> when the body passes.</returns>
    public static string? Scan(ReadOnlySpan<byte> json, SecurityJsonSchema schema, int maxDepth, int maxStringLength)
    {
        // Allocation-free for a well-formed body of known properties: pooled frames, names looked up by their
        // characters, seen members kept in a bit set (a HashSet of names only for unknown properties).
        var frames = ArrayPool<Frame>.Shared.Rent(maxDepth + 1);
        Span<char> nameChars = stackalloc char[NameBufferChars];
        var depth = 0; // number of open containers
        var reader = new Utf8JsonReader(json, new JsonReaderOptions
        {
            MaxDepth = maxDepth + 1,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });

        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (depth == 0 && reader.TokenType != JsonTokenType.StartObject)
                        {
                            return "The body must be a JSON object.";
                        }

                        var containerSchema = depth == 0 ? schema : NextValue(frames, depth);
                        if (depth >= maxDepth)
                        {
                            return $"JSON nested deeper than {maxDepth} levels at {Path(frames, depth)}.";
                        }

                        frames[depth] = new Frame(containerSchema, reader.TokenType == JsonTokenType.StartArray);
                        depth++;
                        break;

                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        depth--;
                        frames[depth] = default;
                        break;

                    case JsonTokenType.PropertyName:
                        var nameProblem = CheckString(ref reader, maxStringLength);
                        if (nameProblem is not null)
                        {
                            return $"Property name {nameProblem} in {Path(frames, depth - 1)}.";
                        }

                        ref var frame = ref frames[depth - 1];
                        SecurityJsonSchema.Member? member = null;
                        string? name = null;
                        if (frame.Schema?.MemberLookup is { } lookup && reader.ValueSpan.Length <= nameChars.Length)
                        {
                            // An unescaped name is never longer in characters than its UTF-8 (or escaped) bytes.
                            lookup.TryGetValue(nameChars[..reader.CopyString(nameChars)], out member);
                        }
                        else
                        {
                            name = reader.GetString()!;
                            frame.Schema?.Members?.TryGetValue(name, out member);
                        }

                        bool duplicate;
                        if (member is { Index: < 64 })
                        {
                            var bit = 1UL << member.Index;
                            duplicate = (frame.SeenMembers & bit) != 0;
                            frame.SeenMembers |= bit;
                        }
                        else
                        {
                            // Members are matched ignoring case, so an unknown name never equals a known one.
                            frame.Seen ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                            duplicate = !frame.Seen.Add(name ?? reader.GetString()!);
                        }

                        if (duplicate)
                        {
                            frame.Property = member?.Name;
                            return member is null
                                ? $"Duplicate property in {Path(frames, depth - 1)}."
                                : $"Duplicate property at {Path(frames, depth)}.";
                        }

                        frame.Property = member?.Name ?? UnknownName;
                        frame.PropertySchema = member?.Schema;
                        break;

                    case JsonTokenType.String:
                        if (depth == 0)
                        {
                            return "The body must be a JSON object.";
                        }

                        var valueSchema = NextValue(frames, depth);

                        var stringProblem = CheckString(ref reader, maxStringLength);
                        if (stringProblem is not null)
                        {
                            return $"String {stringProblem} at {Path(frames, depth)}.";
                        }

                        if (valueSchema is { IsEnum: true } && !IsEnumName(ref reader))
                        {
                            return $"Invalid value at {Path(frames, depth)}: expected {valueSchema.Describe()}.";
                        }

                        break;

                    case JsonTokenType.Number:
                        if (depth == 0)
                        {
                            return "The body must be a JSON object.";
                        }

                        var numberSchema = NextValue(frames, depth);
                        if (reader.ValueSpan.Length > MaxNumberLength)
                        {
                            return $"Number longer than {MaxNumberLength} characters at {Path(frames, depth)}.";
                        }

                        if (numberSchema is { IsEnum: true })
                        {
                            return $"Invalid value at {Path(frames, depth)}: expected {numberSchema.Describe()}.";
                        }

                        break;

                    default: // true, false, null
                        if (depth == 0)
                        {
                            return "The body must be a JSON object.";
                        }

                        NextValue(frames, depth);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var position = (ex.BytePositionInLine ?? 0) + 1;
            return depth == 0
                ? string.Create(CultureInfo.InvariantCulture, $"Malformed JSON at line {line}, byte {position}.")
                : string.Create(CultureInfo.InvariantCulture, $"Malformed JSON at line {line}, byte {position} (in {Path(frames, depth)}).");
        }
        catch (InvalidOperationException)
        {
            return $"Invalid string escape at {Path(frames, depth)}.";
        }
        finally
        {
            frames.AsSpan().Clear();
            ArrayPool<Frame>.Shared.Return(frames);
        }

        return null;
    }

    /// <summary>Property names up to this many UTF-8 bytes are looked up without allocating a string.</summary>
    private const int NameBufferChars = 256;

    private const string UnknownName = "?";

    /// <summary>Advances the current container to its next value and returns that value's schema.</summary>
    private static SecurityJsonSchema? NextValue(Frame[] frames, int depth)
    {
        if (depth == 0)
        {
            return null;
        }

        ref var frame = ref frames[depth - 1];
        if (frame.IsArray)
        {
            frame.Index++;
            return frame.Schema?.Element;
        }

        return frame.PropertySchema;
    }

    /// <returns>The problem ("is not valid UTF-8", "longer than N characters"), or <see langword="null"/>.</returns>
    private static string? CheckString(ref Utf8JsonReader reader, int maxLength)
    {
        var raw = reader.ValueSpan;
        if (!Utf8.IsValid(raw))
        {
            return "is not valid UTF-8";
        }

        if (raw.Length <= maxLength)
        {
            return null; // a UTF-8 byte or an escape sequence is never less than one character
        }

        int length;
        if (!reader.ValueIsEscaped)
        {
            length = Encoding.UTF8.GetCharCount(raw);
        }
        else
        {
            var buffer = ArrayPool<char>.Shared.Rent(raw.Length);
            try
            {
                length = reader.CopyString(buffer);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(buffer, clearArray: true);
            }
        }

        return length > maxLength ? string.Create(CultureInfo.InvariantCulture, $"longer than {maxLength} characters") : null;
    }

    /// <summary>Whether an enum field's string is a name, not a number or a list ("1", "M,F") the serializer would also take.</summary>
    private static bool IsEnumName(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (raw.IsEmpty || raw.Contains((byte)',') || reader.ValueIsEscaped)
        {
            return false;
        }

        var trimmed = raw.Trim(" \t\r\n"u8);
        if (trimmed.Length != raw.Length)
        {
            return false;
        }

        var first = raw[0];
        return first is not ((>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'+');
    }

    /// <summary>The JSON path of the current position: known property names, <c>?</c> for unknown ones, array indexes.</summary>
    internal static string Path(Frame[] frames, int depth)
    {
        var builder = new StringBuilder("$");
        for (var i = 0; i < depth; i++)
        {
            var frame = frames[i];
            if (frame.IsArray)
            {
                if (frame.Index >= 0)
                {
                    builder.Append('[').Append(frame.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
            }
            else if (frame.Property is not null)
            {
                builder.Append('.').Append(frame.Property);
            }
        }

        return builder.ToString();
    }

    internal struct Frame(SecurityJsonSchema? schema, bool isArray)
    {
        public SecurityJsonSchema? Schema = schema;
        public bool IsArray = isArray;
        public int Index = -1;
        public string? Property;
        public SecurityJsonSchema? PropertySchema;
        public HashSet<string>? Seen;
        public ulong SeenMembers;
    }
}
