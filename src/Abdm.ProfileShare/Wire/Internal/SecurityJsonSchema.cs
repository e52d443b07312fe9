using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Abdm.ProfileShare.Wire.Internal;

/// <summary>
/// What a callback body may contain, derived from a (source-generated) <see cref="JsonTypeInfo"/>: the known
/// property names of every object and the expected kind of every value. Used to check limits and enum values
/// before deserializing, and to describe a deserialization error by JSON path without echoing any value.
/// </summary>
internal sealed class SecurityJsonSchema
{
    private static readonly ConditionalWeakTable<JsonTypeInfo, SecurityJsonSchema> Roots = [];

    private SecurityJsonSchema(Type type) => Type = type;

    /// <summary>The CLR type (nullable value types unwrapped).</summary>
    public Type Type { get; }

    /// <summary>Object, array or a value.</summary>
    public JsonTypeInfoKind Kind { get; private set; }

    /// <summary>The properties of an object, by JSON name (case-insensitive, as the serializer reads them).</summary>
    public IReadOnlyDictionary<string, Member>? Members { get; private set; }

    /// <summary><see cref="Members"/> looked up by a name's characters, so the scanner need not allocate the name.</summary>
    public Dictionary<string, Member>.AlternateLookup<ReadOnlySpan<char>>? MemberLookup { get; private set; }

    /// <summary>The element schema of an array.</summary>
    public SecurityJsonSchema? Element { get; private set; }

    /// <summary>Whether the value is an enum (read from a JSON string name only).</summary>
    public bool IsEnum { get; private set; }

    /// <summary>Whether any JSON is accepted (object, JsonElement: extension data).</summary>
    public bool IsAny { get; private set; }

    /// <summary>A property of an object schema.</summary>
    /// <param name="Name">The JSON name as the contract spells it.</param>
    /// <param name="Schema">The value's schema.</param>
    /// <param name="IsRequired">Whether the contract requires it.</param>
    /// <param name="Index">Its position among the object's members (the scanner marks seen members in a bit set).</param>
    public sealed record Member(string Name, SecurityJsonSchema Schema, bool IsRequired, int Index);

    /// <summary>The schema of <paramref name="typeInfo"/> (cached per type info).</summary>
    public static SecurityJsonSchema For(JsonTypeInfo typeInfo) =>
        Roots.GetValue(typeInfo, static info => Build(info, info.Type, []));

    /// <summary>Describes the JSON a value of this schema must be, for an error message.</summary>
    public string Describe()
    {
        if (IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(Type));
        }

        return Kind switch
        {
            JsonTypeInfoKind.Object => "an object",
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Dictionary => "an object",
            _ => DescribeValue(Type),
        };
    }

    private static string DescribeValue(Type type)
    {
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(Guid))
        {
            return "a UUID string";
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return "an ISO 8601 timestamp string";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte))
        {
            return "an integer";
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return "a number";
        }

        return "a value of the documented type";
    }

    private static SecurityJsonSchema Build(JsonTypeInfo info, Type type, Dictionary<Type, SecurityJsonSchema> built)
    {
        var unwrapped = Nullable.GetUnderlyingType(type) ?? type;
        if (built.TryGetValue(unwrapped, out var existing))
        {
            return existing;
        }

        var schema = new SecurityJsonSchema(unwrapped);
        built[unwrapped] = schema;
        if (unwrapped == typeof(object) || unwrapped == typeof(JsonElement) || unwrapped == typeof(JsonDocument))
        {
            schema.IsAny = true;
            return schema;
        }

        if (unwrapped.IsEnum)
        {
            schema.IsEnum = true;
            return schema;
        }

        schema.Kind = info.Kind;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                var members = new Dictionary<string, Member>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in info.Properties)
                {
                    if (property.IsExtensionData)
                    {
                        continue;
                    }

                    var child = Resolve(info.Options, property.PropertyType, built);
                    members.TryAdd(property.Name, new Member(property.Name, child, property.IsRequired, members.Count));
                }

                schema.Members = members;
                schema.MemberLookup = members.GetAlternateLookup<ReadOnlySpan<char>>();
                break;
            case JsonTypeInfoKind.Enumerable when info.ElementType is { } elementType:
                schema.Element = Resolve(info.Options, elementType, built);
                break;
            case JsonTypeInfoKind.Dictionary:
                schema.IsAny = true;
                break;
        }

        return schema;
    }

    private static SecurityJsonSchema Resolve(JsonSerializerOptions options, Type type, Dictionary<Type, SecurityJsonSchema> built)
    {
        var unwrapped = Nullable.GetUnderlyingType(type) ?? type;
        if (built.TryGetValue(unwrapped, out var existing))
        {
            return existing;
        }

        if (unwrapped.IsEnum)
        {
            var enumSchema = new SecurityJsonSchema(unwrapped) { IsEnum = true };
            built[unwrapped] = enumSchema;
            return enumSchema;
        }

        JsonTypeInfo? info;
        try
        {
            info = options.GetTypeInfo(type);
        }
        catch (NotSupportedException)
        {
            info = null;
        }

        if (info is null)
        {
            var any = new SecurityJsonSchema(unwrapped) { IsAny = true };
            built[unwrapped] = any;
            return any;
        }

        return Build(info, type, built);
    }
}
