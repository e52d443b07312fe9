using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Tests.Security;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>One hostile request: its body, content type and the status it must get.</summary>
internal sealed record BodyCase(Func<HttpContent> Content, string? ContentType, int ExpectedStatus);

/// <summary>
/// Malformed and hostile share bodies and headers. Values that must never be echoed carry the marker
/// <see cref="Marker"/> (the valid template carries it too, in the name, PHR address and hipCode).
/// </summary>
internal static class HostileBodyCorpus
{
    public const string Marker = "zzmarker";
    public const string Json = "application/json";
    private const string RawPrefix = "__RAW__";

    private static readonly Lazy<Dictionary<string, BodyCase>> LazyCases = new(Build);

    public static IReadOnlyDictionary<string, BodyCase> Cases => LazyCases.Value;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private enum Kind { String, Guid, Timestamp, Enum, Int, Object, Array }

    private static readonly (string Path, Kind Kind, bool Required)[] Fields =
    [
        ("requestId", Kind.Guid, true),
        ("timestamp", Kind.Timestamp, true),
        ("profile", Kind.Object, true),
        ("profile.hipCode", Kind.String, false),
        ("profile.patient", Kind.Object, true),
        ("profile.patient.healthId", Kind.String, true),
        ("profile.patient.healthIdNumber", Kind.String, false),
        ("profile.patient.name", Kind.String, true),
        ("profile.patient.gender", Kind.Enum, true),
        ("profile.patient.address", Kind.Object, false),
        ("profile.patient.address.line", Kind.String, false),
        ("profile.patient.address.district", Kind.String, false),
        ("profile.patient.address.state", Kind.String, false),
        ("profile.patient.address.pincode", Kind.String, false),
        ("profile.patient.yearOfBirth", Kind.Int, true),
        ("profile.patient.dayOfBirth", Kind.Int, false),
        ("profile.patient.monthOfBirth", Kind.Int, false),
        ("profile.patient.identifiers", Kind.Array, false),
        ("profile.patient.identifiers.0.type", Kind.String, true),
        ("profile.patient.identifiers.0.value", Kind.String, false),
    ];

    private static Dictionary<string, BodyCase> Build()
    {
        var cases = new Dictionary<string, BodyCase>(StringComparer.Ordinal);
        void Text(string name, string body, int status = 400, string? contentType = Json) =>
            cases.Add(name, new BodyCase(() => new ByteArrayContent(Encoding.UTF8.GetBytes(body)), contentType, status));
        void Bytes(string name, byte[] body, int status = 400, string? contentType = Json) =>
            cases.Add(name, new BodyCase(() => new ByteArrayContent(body), contentType, status));
        void Chunked(string name, byte[] body, int status) =>
            cases.Add(name, new BodyCase(() => new StreamContent(new UnseekableStream(body)), Json, status));

        // --- wrong types for every field
        foreach (var (path, kind, _) in Fields)
        {
            foreach (var (label, value) in WrongValues(kind, path))
            {
                Text($"wrong type: {path} = {label}", Mutate(path, value));
            }
        }

        // --- nulls in required fields, missing required fields
        foreach (var (path, _, required) in Fields.Where(f => f.Required))
        {
            Text($"null in required field: {path}", Mutate(path, null));
            Text($"missing required field: {path}", Remove(path));
        }

        // --- malformed JSON
        var valid = ProbeApp.ValidBody;
        Text("truncated at 10%", valid[..(valid.Length / 10)]);
        Text("truncated at 50%", valid[..(valid.Length / 2)]);
        Text("truncated at 90%", valid[..(valid.Length * 9 / 10)]);
        Text("truncated by the last brace", valid.TrimEnd()[..^1]);
        Text("value missing", "{\"requestId\": }");
        Text("unquoted property name", "{requestId: \"zzmarker\"}");
        Text("single-quoted strings", "{'requestId': 'zzmarker'}");
        Text("colon missing", "{\"requestId\" \"zzmarker\"}");
        Text("double comma", "{\"requestId\":\"zzmarker\",,\"x\":1}");
        Text("reversed braces", "}{");
        Text("mismatched brackets", "{\"x\":[1,2}");
        Text("misspelled literal", "{\"x\":tru}");
        Text("unterminated string", "{\"requestId\":\"zzmarker");
        Text("NaN literal", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": NaN", StringComparison.Ordinal));
        Text("Infinity literal", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": Infinity", StringComparison.Ordinal));
        Text("-Infinity literal", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": -Infinity", StringComparison.Ordinal));
        Text("NaN as a string in an integer", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": \"NaN\"", StringComparison.Ordinal));
        Text("line comment", "// zzmarker\n" + valid);
        Text("block comment", valid.Replace("\"gender\": \"F\",", "\"gender\": \"F\", /* zzmarker */", StringComparison.Ordinal));
        Text("trailing comma in object", valid.Replace("\"monthOfBirth\": 1,", "\"monthOfBirth\": 1,,", StringComparison.Ordinal).Replace("\"pincode\": \"000001\" }", "\"pincode\": \"000001\", }", StringComparison.Ordinal));
        Text("trailing comma in array", valid.Replace("\"+91-9000000001\" } ]", "\"+91-9000000001\" }, ]", StringComparison.Ordinal));
        Text("two documents", valid + valid);
        Text("raw control character in a string", valid.Replace("Zzmarker Synthetic", "Zzmarker\u0001Synthetic", StringComparison.Ordinal));
        Text("invalid escape", valid.Replace("Zzmarker Synthetic", "Zzmarker\\xSynthetic", StringComparison.Ordinal));
        Text("lone surrogate escape", valid.Replace("Zzmarker Synthetic", "Zzmarker\\uD800Synthetic", StringComparison.Ordinal));
        Text("leading zero number (as in the 2022 docs example)", valid.Replace("\"monthOfBirth\": 1", "\"monthOfBirth\": 02", StringComparison.Ordinal));
        Text("hex number", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": 0x7C6", StringComparison.Ordinal));
        Text("plus-signed number", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": +1990", StringComparison.Ordinal));

        // --- roots
        Text("array root", "[" + valid + "]");
        Text("empty array root", "[]");
        Text("null root", "null");
        Text("string root", "\"zzmarker\"");
        Text("number root", "42");
        Text("boolean root", "true");
        Text("empty body", "");
        Text("whitespace-only body", "  \r\n\t ");
        Text("empty object", "{}");
        Text("2021 apisetu shape (patient.userDemographics)", """{"requestId":"5f7a535d-a3fd-416b-b069-c97d021fbacd","timestamp":"2026-11-28T09:00:00.000Z","patient":{"hipCode":"c1","userDemographics":{"healthId":"zzmarker@sbx","name":"Zzmarker","gender":"F","yearOfBirth":1990}}}""");
        Text("v3 shape (abhaAddress)", """{"intent":{"type":"PROFILE_SHARE"},"metaData":{"context":"1"},"profile":{"patient":{"abhaAddress":"zzmarker@sbx","name":"Zzmarker","gender":"F","yearOfBirth":1990}}}""");

        // --- duplicates
        Text("duplicate requestId", valid.Replace("\"timestamp\"", "\"requestId\": \"00000000-0000-0000-0000-000000000001\", \"timestamp\"", StringComparison.Ordinal));
        Text("duplicate name", valid.Replace("\"gender\": \"F\"", "\"name\": \"Zzmarker Other\", \"gender\": \"F\"", StringComparison.Ordinal));
        Text("duplicate name differing in case", valid.Replace("\"gender\": \"F\"", "\"NAME\": \"Zzmarker Other\", \"gender\": \"F\"", StringComparison.Ordinal));
        Text("duplicate profile", valid.TrimEnd()[..^1] + ", \"profile\": {} }");
        Text("duplicate name spelled with an escape", valid.Replace("\"gender\": \"F\"", "\"n\\u0061me\": \"Zzmarker Other\", \"gender\": \"F\"", StringComparison.Ordinal));
        Text("duplicate unknown property", valid.Replace("\"gender\": \"F\"", "\"zzmarker\": 1, \"zzmarker\": 2, \"gender\": \"F\"", StringComparison.Ordinal));

        // --- sizes and depth
        var tenKb = Marker + new string('x', 10 * 1024);
        Text("10 KB string in name", Mutate("profile.patient.name", tenKb));
        Text("10 KB string in an unknown property", Mutate("profile.patient.zzextra", tenKb));
        Text("10 KB property name", Mutate("profile.patient." + tenKb, 1));
        Text("string one over the limit", Mutate("profile.patient.healthId", Marker + new string('y', 2049 - Marker.Length)));
        Text("long escaped string", valid.Replace("Zzmarker Synthetic", "Zzmarker" + string.Concat(Enumerable.Repeat("\\u0041", 3000)), StringComparison.Ordinal));
        Text("10 KB number", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": " + new string('9', 10 * 1024), StringComparison.Ordinal));
        Text("huge integer", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": 99999999999999999999", StringComparison.Ordinal));
        Text("huge exponent", valid.Replace("\"yearOfBirth\": 1990", "\"yearOfBirth\": 1e400", StringComparison.Ordinal));
        Text("70-digit number in an unknown property", Mutate("profile.zznumber", RawPrefix + new string('7', 70)));
        Text("arrays nested 20 deep", Mutate("profile.patient.zzdeep", RawPrefix + new string('[', 20) + new string(']', 20)));
        Text("arrays nested 1000 deep", Mutate("profile.patient.zzdeep", RawPrefix + new string('[', 1000) + new string(']', 1000)));
        Text("objects nested one over the limit", Mutate("profile.patient.zzdeep", RawPrefix + string.Concat(Enumerable.Repeat("{\"a\":", 14)) + "1" + new string('}', 14)));
        Text("unclosed arrays 5000 deep", new string('[', 5000));
        Text("unclosed objects 5000 deep", string.Concat(Enumerable.Repeat("{\"zzmarker\":", 5000)));
        var oneMb = Encoding.UTF8.GetBytes(Mutate("profile.zzpad", new string('p', 1024 * 1024)));
        Bytes("1 MB body with Content-Length", oneMb, 413);
        Chunked("1 MB body chunked", oneMb, 413);
        var justOver = Encoding.UTF8.GetBytes(valid + new string(' ', (64 * 1024) + 1 - Encoding.UTF8.GetByteCount(valid)));
        Bytes("one byte over the limit with Content-Length", justOver, 413);
        Chunked("one byte over the limit chunked", justOver, 413);

        // --- encodings
        Bytes("UTF-16 LE with BOM", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(valid)]);
        Bytes("UTF-16 BE with BOM", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(valid)]);
        Bytes("UTF-16 LE without BOM", Encoding.Unicode.GetBytes(valid));
        Bytes("UTF-32 LE with BOM", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(valid)]);
        Bytes("UTF-8 BOM before a truncated body", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(valid[..(valid.Length / 2)])]);
        Bytes("double UTF-8 BOM", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(valid)]);
        Bytes("Latin-1 byte in a string", Splice(valid, "Zzmarker Synthetic", [0x5A, 0x7A, 0xE9, 0x6D]));
        Bytes("invalid UTF-8 continuation", Splice(valid, "Zzmarker Synthetic", [0x5A, 0xC3, 0x28]));
        Bytes("overlong UTF-8 encoding", Splice(valid, "Zzmarker Synthetic", [0x5A, 0xC0, 0xAF]));
        Bytes("invalid UTF-8 in a property name", Splice(valid, "\"healthIdNumber\"", [0x22, 0xFF, 0xFE, 0x22]));
        Bytes("0xFF at the root", [0xFF, .. Encoding.UTF8.GetBytes(valid)]);
        Bytes("NUL byte in a string", Splice(valid, "Zzmarker Synthetic", [0x5A, 0x00, 0x7A]));
        Bytes("gzip-encoded body (never decompressed)", Gzip(valid));

        // --- content types
        foreach (var type in new[] { "text/plain", "application/xml", "text/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "text/json", "application/jsonp", "application/octet-stream", "text/html", "application/json-seq" })
        {
            Text($"content type {type}", valid, 415, type);
        }

        Text("no content type", valid, 415, contentType: null);
        return cases;
    }

    private static IEnumerable<(string Label, object Value)> WrongValues(Kind kind, string path) => kind switch
    {
        Kind.String => [("number", 12345), ("boolean", true), ("object", new JsonObject { [Marker] = Marker }), ("array", new JsonArray(Marker))],
        Kind.Guid => [("not a UUID", Marker + "-not-a-uuid"), ("number", 42), ("boolean", true), ("empty string", "")],
        Kind.Timestamp => [("not a timestamp", Marker + "-yesterday"), ("number", 1700000000), ("boolean", false), ("array", new JsonArray())],
        Kind.Enum => [("unknown name", "ZZMARKER"), ("number", 1), ("undefined number", 7), ("numeric string", "1"), ("list", "M,F"), ("boolean", true), ("empty string", ""), ("padded name", " F ")],
        Kind.Int => [("word", Marker), ("fraction", 1.5), ("boolean", true), ("object", new JsonObject()), ("array", new JsonArray()), ("beyond Int32", RawPrefix + "2147483648")],
        Kind.Object => [("string", Marker), ("number", 1), ("array", new JsonArray(Marker)), ("boolean", true)],
        Kind.Array => [("string", Marker), ("object", new JsonObject { ["type"] = "MOBILE" }), ("number", 1)],
        _ => [],
    };

    /// <summary>The valid body with the field at <paramref name="path"/> (dot-separated, numeric segments index arrays) set.</summary>
    private static string Mutate(string path, object? value)
    {
        var root = JsonNode.Parse(ProbeApp.ValidBody)!;
        var (parent, last) = Navigate(root, path);
        JsonNode? node = value switch
        {
            null => null,
            JsonNode n => n,
            string s when s.StartsWith(RawPrefix, StringComparison.Ordinal) => JsonValue.Create(RawPrefix),
            string s => JsonValue.Create(s),
            int i => JsonValue.Create(i),
            double d => JsonValue.Create(d),
            bool b => JsonValue.Create(b),
            _ => throw new ArgumentOutOfRangeException(nameof(value)),
        };
        if (parent is JsonArray array)
        {
            array[int.Parse(last)] = node;
        }
        else
        {
            parent.AsObject()[last] = node;
        }

        var text = root.ToJsonString();
        if (value is string raw && raw.StartsWith(RawPrefix, StringComparison.Ordinal))
        {
            text = text.Replace("\"" + RawPrefix + "\"", raw[RawPrefix.Length..], StringComparison.Ordinal);
        }

        return text;
    }

    private static string Remove(string path)
    {
        var root = JsonNode.Parse(ProbeApp.ValidBody)!;
        var (parent, last) = Navigate(root, path);
        parent.AsObject().Remove(last);
        return root.ToJsonString();
    }

    private static (JsonNode Parent, string Last) Navigate(JsonNode root, string path)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = node is JsonArray array ? array[int.Parse(part)]! : node[part]!;
        }

        return (node, parts[^1]);
    }

    private static byte[] Splice(string text, string find, byte[] replacement)
    {
        var index = text.IndexOf(find, StringComparison.Ordinal);
        var before = Encoding.UTF8.GetBytes(text[..index]);
        var after = Encoding.UTF8.GetBytes(text[(index + find.Length)..]);
        return [.. before, .. replacement, .. after];
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}

/// <summary>A read-only stream that cannot report its length, so the body is sent without Content-Length.</summary>
internal sealed class UnseekableStream(byte[] data) : Stream
{
    private int _position;

    public int BytesRead => _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
