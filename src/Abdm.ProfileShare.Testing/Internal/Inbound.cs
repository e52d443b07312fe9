using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>A request the simulator received, with what its handler learned about it (for the journal).</summary>
internal sealed class Inbound
{
    private static readonly string[] SecretFields = ["clientSecret", "refreshToken"];

    public Inbound(HttpContext context, JsonElement? root, bool v3)
    {
        Context = context;
        Root = root;
        IsV3 = v3;
    }

    public HttpContext Context { get; }

    /// <summary>A v3 operation: correlation in headers, string error codes, the API gateway's flat 401 body.</summary>
    public bool IsV3 { get; }

    public JsonElement? Root { get; }

    public string? HealthId { get; set; }

    public string? HipId { get; set; }

    /// <summary>Strict reads of the body; a body that is not a JSON object is <see cref="GatewayRejection.MalformedJson"/>.</summary>
    public BodyRules Rules => Root is { ValueKind: JsonValueKind.Object } root
        ? new BodyRules(root)
        : throw new RejectionException(GatewayRejection.MalformedJson, "The body must be a well-formed JSON object.");

    /// <summary>The request's own id: the <c>REQUEST-ID</c> header (v3) or the body's <c>requestId</c>, when a UUID (for the journal and logs).</summary>
    public Guid? RequestId => IsV3
        ? Guid.TryParse(Header("REQUEST-ID"), out var id) ? id : null
        : Root is { ValueKind: JsonValueKind.Object } root ? new BodyRules(root).TryUuid("requestId") : null;

    /// <summary>The request this one answers: <c>response.requestId</c> (v3) or <c>resp.requestId</c>, when a UUID.</summary>
    public Guid? RespRequestId => Root is { ValueKind: JsonValueKind.Object } body
        ? new BodyRules(body).TryUuid(IsV3 ? "response.requestId" : "resp.requestId")
        : null;

    public string? Header(string name)
    {
        var value = Context.Request.Headers[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The body for the journal: a copy, with secrets replaced.</summary>
    public JsonElement? JournalBody()
    {
        if (Root is not { } root)
        {
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object || !SecretFields.Any(f => root.TryGetProperty(f, out _)))
        {
            return root.Clone();
        }

        var node = JsonNode.Parse(root.GetRawText())!.AsObject();
        foreach (var field in SecretFields)
        {
            if (node.ContainsKey(field))
            {
                node[field] = "[redacted]";
            }
        }

        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    public static IReadOnlyDictionary<string, string> JournalHeaders(IHeaderDictionary headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            result[name] = string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase) ? "[redacted]" : value.ToString();
        }

        return result;
    }
}

/// <summary>How a handler answered: status, body, and the callback it causes (sent after the 202 unless a fault says before).</summary>
internal sealed record InboundResult(int StatusCode, byte[]? Body = null)
{
    public static InboundResult Accepted { get; } = new(StatusCodes.Status202Accepted);

    public Func<CancellationToken, Task>? Callback { get; init; }

    public bool CallbackBeforeAccepted { get; init; }

    /// <summary>A note for the journal entry of an accepted request (why its callback will not come, say).</summary>
    public string? Detail { get; init; }
}

/// <summary>
/// A call the simulator is about to send to the HIP. A v3 call carries its <see cref="RequestId"/> and
/// <see cref="Timestamp"/> in the <c>REQUEST-ID</c> and <c>TIMESTAMP</c> headers and is signed by the v3 key set.
/// </summary>
internal sealed record Outgoing(byte[] Body, Guid RequestId, Guid? RespRequestId, string? HealthId)
{
    public bool V3 { get; init; }

    public DateTimeOffset Timestamp { get; init; }
}

/// <summary>A demographic-auth transaction issued in an on-init.</summary>
internal sealed record AuthTransaction(string Id, string HealthId, string HipId, DateTimeOffset ExpiresAt);
