using System.Net.Http.Json;
using System.Text.Json;
using Abdm.ProfileShare.Wire.V3;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>The v3 calls beyond the share and the link token: the bridge's service listing and the running-token answer.</summary>
internal sealed partial class AbdmGatewayClient
{
    public async Task<IReadOnlyList<BridgeService>> GetBridgeServicesAsync(CancellationToken cancellationToken = default)
    {
        var options = _options.CurrentValue;
        const string path = GatewayEndpoints.BridgeServicesV3;
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayEndpoints.Combine(GatewayEndpoints.BaseUrl(options), path));
        request.Headers.Accept.Add(GatewayContent.JsonMediaType);
        GatewayV3Headers.Apply(request, Guid.NewGuid(), _timeProvider.GetUtcNow(), options.Gateway.DefaultConsentManagerId);
        using var response = await SendAsync(request, path, null, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.Content.Headers.ContentLength == 0)
            {
                return [];
            }

            var listing = await response.Content.ReadFromJsonAsync(AbdmV3JsonContext.Default.BridgeServicesV3Response, cancellationToken).ConfigureAwait(false);
            return listing?.Services is { } services
                ? [.. services.Where(s => s is not null && !string.IsNullOrWhiteSpace(s.Id)).Select(s => new BridgeService { Id = s.Id, Name = s.Name, Active = s.Active, Types = s.Types ?? [] })]
                : [];
        }
        catch (JsonException ex)
        {
            throw new AbdmGatewayException(path, null, response.StatusCode, null, "The bridge-services response is not the documented listing.", isTransient: false, ex);
        }
    }

    public Task SendRunningTokenStatusAsync(RunningTokenStatusAnswer answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var body = new OnRunningTokenStatusV3Request
        {
            Token = answer.ErrorCode is null && answer.RunningTokenNumber is { } number
                ? new RunningTokenV3 { RunningTokenNumber = number, AverageTokenServiceTimeInMinutes = answer.AverageTokenServiceTimeInMinutes ?? 1 }
                : null,
            Error = answer.ErrorCode is { } code ? new ErrorV3 { Code = code, Message = answer.ErrorMessage } : null,
            Response = new ResponseReferenceV3 { RequestId = answer.StatusRequestId },
        };
        return PostAsync(GatewayEndpoints.OnRunningTokenStatusV3, answer.RequestId, _options.CurrentValue.Gateway.DefaultConsentManagerId, body,
            AbdmV3JsonContext.Default.OnRunningTokenStatusV3Request, cancellationToken, v3: true, hipId: answer.HipId);
    }
}
