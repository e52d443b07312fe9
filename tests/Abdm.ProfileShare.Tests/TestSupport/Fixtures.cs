using System.Text.Json.Nodes;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>Reads the JSON fixtures copied to the output folder (<c>Fixtures/…</c>).</summary>
internal static class Fixtures
{
    public static string Text(string relativePath) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath));

    public static byte[] Bytes(string relativePath) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath));

    public static JsonNode Json(string relativePath) =>
        JsonNode.Parse(Text(relativePath)) ?? throw new InvalidOperationException($"Fixture {relativePath} is JSON null.");

    /// <summary>A fixture with one field changed (for variants of the seed's examples).</summary>
    public static string With(string relativePath, Action<JsonNode> change)
    {
        var node = Json(relativePath);
        change(node);
        return node.ToJsonString();
    }
}

internal static class JsonAssert
{
    /// <summary>Asserts two JSON documents are structurally equal (property order and whitespace ignored).</summary>
    public static void Equal(JsonNode expected, string? actualJson)
    {
        Assert.NotNull(actualJson);
        var actual = JsonNode.Parse(actualJson);
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"JSON differs.\nExpected: {expected.ToJsonString()}\nActual:   {actual?.ToJsonString()}");
    }
}
