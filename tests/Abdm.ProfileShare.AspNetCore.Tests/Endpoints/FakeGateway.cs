using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// A gateway faked over HTTP for endpoint tests: the primary handler of the SDK's gateway clients. It records every
/// call, answers 202 (or fails on demand), and calls the HIP back (on-init, on-confirm) through the test server.
/// </summary>
internal sealed class FakeGateway : RecordingGateway
{
    public const string SessionToken = "fake-session-token";

    public HttpClient? Hip { get; set; }
    public string HipId { get; set; } = "HIP-TEST-1";
    public string CallbackToken { get; set; } = "Bearer test-gateway-token";

    /// <summary>Demographics the gateway holds per PHR address: name, gender, dateOfBirth.</summary>
    public ConcurrentDictionary<string, (string Name, string Gender, string DateOfBirth)> Patients { get; } = new(StringComparer.OrdinalIgnoreCase);

    public volatile int FailOnShareWith;
    public volatile bool CallbackBeforeResponse;
    public volatile bool DuplicateOnConfirm;
    public volatile bool DropOnInit;
    public volatile bool DropOnConfirm;

    /// <summary>When true, a session request is recorded and then never answered: it ends only when cancelled.</summary>
    public volatile bool SessionsHang;

    /// <summary>Completed when a hanging session request is cancelled.</summary>
    public TaskCompletionSource SessionRequestCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath.Replace("/gateway", "", StringComparison.Ordinal);
        var call = await ReadAsync(request, path, cancellationToken);

        if (path == "/v0.5/sessions" && SessionsHang)
        {
            Record(call);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                SessionRequestCancelled.TrySetResult();
            }
        }

        if (path == "/v0.5/sessions")
        {
            Record(call);
            return Json(HttpStatusCode.OK, $$"""{"accessToken":"{{SessionToken}}","expiresIn":1800,"refreshExpiresIn":1800,"refreshToken":"r","tokenType":"bearer"}""");
        }

        if (path.EndsWith("/patients/profile/on-share", StringComparison.Ordinal) && FailOnShareWith != 0)
        {
            Record(call with { Status = FailOnShareWith });
            return Json((HttpStatusCode)FailOnShareWith, """{"error":{"code":2500,"message":"Downstream system is down"}}""");
        }

        Record(call with { Status = 202 });
        if (path == "/v0.5/users/auth/init" && !DropOnInit)
        {
            var onInit = new JsonObject
            {
                ["requestId"] = Guid.NewGuid().ToString(),
                ["timestamp"] = "2026-11-28T04:30:00.123456",
                ["auth"] = new JsonObject { ["transactionId"] = "txn-" + Guid.NewGuid().ToString("N"), ["mode"] = "DEMOGRAPHICS", ["meta"] = new JsonObject { ["hint"] = null, ["expiry"] = "2026-11-28T06:30:00.123456" } },
                ["error"] = null,
                ["resp"] = new JsonObject { ["requestId"] = call.Body!["requestId"]!.GetValue<string>() },
            };
            await CallBackAsync("/v0.5/users/auth/on-init", onInit, times: 1);
        }
        else if (path == "/v0.5/users/auth/confirm" && !DropOnConfirm)
        {
            await CallBackAsync("/v0.5/users/auth/on-confirm", OnConfirmFor(call.Body!), DuplicateOnConfirm ? 2 : 1);
        }

        return new HttpResponseMessage(HttpStatusCode.Accepted);
    }

    public Task<HttpResponseMessage> PostToHipAsync(string path, JsonNode body, string? hipId = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        message.Headers.TryAddWithoutValidation("Authorization", CallbackToken);
        message.Headers.TryAddWithoutValidation("X-HIP-ID", hipId ?? HipId);
        return Hip!.SendAsync(message);
    }

    private async Task CallBackAsync(string path, JsonNode body, int times)
    {
        async Task Send()
        {
            for (var i = 0; i < times; i++)
            {
                using var response = await PostToHipAsync(path, body.DeepClone());
                Record(new RecordedCall("CALLBACK", path, new Dictionary<string, string>(), body, (int)response.StatusCode));
            }
        }

        if (CallbackBeforeResponse)
        {
            await Send();
        }
        else
        {
            _ = Task.Run(Send);
        }
    }

    private JsonObject OnConfirmFor(JsonNode confirm)
    {
        var demographic = confirm["credential"]?["demographic"];
        var match = Patients.Values.Any(p => p.Name == demographic?["name"]?.GetValue<string>()
            && p.Gender == demographic?["gender"]?.GetValue<string>()
            && p.DateOfBirth == demographic?["dateOfBirth"]?.GetValue<string>());
        return new JsonObject
        {
            ["requestId"] = Guid.NewGuid().ToString(),
            ["timestamp"] = "2026-11-28T04:30:01.654321",
            ["auth"] = match ? new JsonObject { ["accessToken"] = "linking-token-" + Guid.NewGuid().ToString("N"), ["patient"] = null } : null,
            ["error"] = match ? null : new JsonObject { ["code"] = 1441, ["message"] = "Invalid auth confirm request." },
            ["resp"] = new JsonObject { ["requestId"] = confirm["requestId"]!.GetValue<string>() },
        };
    }

}

internal sealed record RecordedCall(string Method, string Path, IReadOnlyDictionary<string, string> Headers, JsonNode? Body, int Status = 0)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? Get(params string[] path)
    {
        JsonNode? node = Body;
        foreach (var part in path)
        {
            node = node?[part];
        }

        return node?.GetValueKind() switch
        {
            null => null,
            JsonValueKind.String => node.GetValue<string>(),
            _ => node.ToJsonString(),
        };
    }
}
