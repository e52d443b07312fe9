using System.Text.Json;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Testing.Internal;

// The phone's side of Scan & Share: the share sent to the HIP on a scan, and the HIP's on-share (v0.5, v1.0, v3).
internal sealed partial class SimulatorEngine
{
    public async Task<SimulatedShare> ScanAsync(SimulatedScan scan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(scan.Patient);
        if (string.IsNullOrWhiteSpace(scan.Patient.HealthId))
        {
            throw new ArgumentException("The patient has no PHR address (HealthId).", nameof(scan));
        }

        if (string.IsNullOrWhiteSpace(scan.HipId) || !_hips.TryGetValue(scan.HipId, out var hipUrl))
        {
            throw new InvalidOperationException($"HIP '{scan.HipId}' is not registered; call RegisterHip(\"{scan.HipId}\", callbackBaseUrl) first.");
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        RegisterPatient(scan.Patient);
        var requestId = scan.RequestId ?? Guid.NewGuid();
        var share = _shares.AddOrUpdate(requestId, _ => new SimulatedShare(requestId, scan, null), (_, existing) => new SimulatedShare(requestId, scan, existing));
        var plan = Faults.Take(GatewayOperation.Share);
        var now = _time.GetUtcNow();
        var v3 = scan.Version == WireVersion.V3;
        var body = v3 ? WireBuilder.ShareV3(scan) : WireBuilder.Share(scan, requestId, now);
        var url = Combine(hipUrl, scan.Version switch
        {
            WireVersion.V3 => WireBuilder.ShareV3Path,
            WireVersion.V10 => WireBuilder.ShareV10Path,
            _ => WireBuilder.ShareV05Path,
        });
        var outgoing = new Outgoing(body, requestId, null, scan.Patient.HealthId) { V3 = v3, Timestamp = now };
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var entry = await _caller.DeliverAsync(GatewayOperation.Share, scan.HipId, url, plan, () => outgoing, linked.Token).ConfigureAwait(false);
        share.HipStatusCode = entry?.StatusCode;
        share.DeliveryError = entry is null ? "Dropped by a fault; not sent." : entry.Detail;
        return share;
    }

    private Task<InboundResult> OnShare(Inbound inbound, WireVersion version)
    {
        var consentManagerId = InboundChecks.RequireConsentManagerId(inbound);
        var rules = inbound.Rules;
        var onShareRequestId = rules.Uuid("requestId");
        rules.Timestamp("timestamp");
        rules.Object("acknowledgement");
        var status = rules.Enum("acknowledgement.status", "SUCCESS", "FAILURE");
        var healthId = rules.String("acknowledgement.healthId");
        inbound.HealthId = healthId;
        string? tokenNumber = null;
        if (version == WireVersion.V10)
        {
            tokenNumber = rules.Find("acknowledgement.tokenNumber") is { ValueKind: JsonValueKind.String } token ? token.GetString() : null;
            if (tokenNumber is null || (status == "SUCCESS" && string.IsNullOrWhiteSpace(tokenNumber)))
            {
                throw new RejectionException(GatewayRejection.MissingTokenNumber, "A v1.0 on-share needs 'acknowledgement.tokenNumber' (a non-empty string with SUCCESS).");
            }
        }

        rules.OptionalObject("error");
        var errorCode = rules.Find("error.code") is { ValueKind: JsonValueKind.Number } code && code.TryGetInt32(out var number) ? number : (int?)null;
        var errorMessage = rules.TryString("error.message");
        rules.Object("resp");
        var shareRequestId = rules.Uuid("resp.requestId");

        if (!_shares.TryGetValue(shareRequestId, out var share))
        {
            throw new RejectionException(GatewayRejection.UnknownShareRequest, "'resp.requestId' is not the requestId of a share the gateway sent.");
        }

        inbound.HipId = share.HipId;
        if (share.Version != version)
        {
            throw new RejectionException(GatewayRejection.ShareVersionMismatch, $"The share was sent as {VersionText(share.Version)}; answer it with that version's on-share.");
        }

        if (!string.Equals(healthId, share.HealthId, StringComparison.Ordinal))
        {
            throw new RejectionException(GatewayRejection.HealthIdMismatch, "'acknowledgement.healthId' is not the PHR address of the share.");
        }

        InboundChecks.CheckConsentManagerId(consentManagerId, healthId);
        share.TryAcknowledge(new PhoneAcknowledgement(
            status == "SUCCESS" ? ShareProfileStatus.SUCCESS : ShareProfileStatus.FAILURE,
            tokenNumber, errorCode, errorMessage, onShareRequestId, _time.GetUtcNow())
        {
            ErrorCodeText = rules.Find("error.code") is { ValueKind: JsonValueKind.Number or JsonValueKind.String } text
                ? text.ValueKind == JsonValueKind.String ? text.GetString() : text.GetRawText()
                : null,
        });
        return Task.FromResult(InboundResult.Accepted);
    }

    /// <summary>
    /// v3 on-share, following the spec's prose: <c>response</c> always; SUCCESS needs <c>acknowledgement</c> with
    /// <c>profile{context, tokenNumber, expiry}</c> and no <c>error</c>; FAILED needs <c>error{code, message}</c>, the
    /// acknowledgement (status FAILED) being optional.
    /// </summary>
    private Task<InboundResult> OnShareV3(Inbound inbound)
    {
        var onShareRequestId = InboundChecks.RequireV3Headers(inbound);
        var consentManagerId = inbound.Header("X-CM-ID")!;
        var rules = inbound.Rules;
        rules.OptionalObject("acknowledgement");
        rules.OptionalObject("error");
        var hasAcknowledgement = rules.Find("acknowledgement") is not null;
        var hasError = rules.Find("error") is not null;
        string? status = null;
        string? abhaAddress = null;
        if (hasAcknowledgement)
        {
            status = rules.Enum("acknowledgement.status", "SUCCESS", "FAILED");
            abhaAddress = rules.String("acknowledgement.abhaAddress");
            inbound.HealthId = abhaAddress;
        }

        var success = status == "SUCCESS";
        string? context = null;
        string? tokenNumber = null;
        double? expiry = null;
        string? errorCode = null;
        string? errorMessage = null;
        if (success)
        {
            if (hasError)
            {
                throw new RejectionException(GatewayRejection.ErrorWithSuccess, "A v3 on-share with acknowledgement.status SUCCESS must not carry 'error'.");
            }

            rules.Object("acknowledgement.profile");
            context = rules.String("acknowledgement.profile.context");
            tokenNumber = rules.Find("acknowledgement.profile.tokenNumber") is { ValueKind: JsonValueKind.String } token ? token.GetString() : null;
            if (string.IsNullOrWhiteSpace(tokenNumber))
            {
                throw new RejectionException(GatewayRejection.MissingTokenNumber, "A v3 SUCCESS on-share needs 'acknowledgement.profile.tokenNumber' (a non-empty string).");
            }

            expiry = rules.PositiveNumber("acknowledgement.profile.expiry");
        }
        else
        {
            if (!hasError)
            {
                throw new RejectionException(GatewayRejection.MissingField, hasAcknowledgement
                    ? "Required field 'error' is missing, null or empty (acknowledgement.status is FAILED)."
                    : "A v3 on-share needs 'acknowledgement' (SUCCESS) or 'error' (FAILED).");
            }

            errorCode = rules.String("error.code");
            if (!V3ErrorCode().IsMatch(errorCode))
            {
                throw new RejectionException(GatewayRejection.InvalidFieldValue, "'error.code' must be a string such as ABDM-1006 (ABDM- and 4 digits, or 3 to 6 digits).");
            }

            errorMessage = rules.String("error.message");
            if (hasAcknowledgement)
            {
                rules.OptionalObject("acknowledgement.profile");
            }
        }

        rules.Object("response");
        var shareRequestId = rules.Uuid("response.requestId");
        if (!_shares.TryGetValue(shareRequestId, out var share))
        {
            throw new RejectionException(GatewayRejection.UnknownShareRequest, "'response.requestId' is not the REQUEST-ID header of a share the gateway sent.");
        }

        inbound.HipId = share.HipId;
        inbound.HealthId ??= share.HealthId;
        if (share.Version != WireVersion.V3)
        {
            throw new RejectionException(GatewayRejection.ShareVersionMismatch, $"The share was sent as {VersionText(share.Version)}; answer it with that version's on-share.");
        }

        if (abhaAddress is not null && !string.Equals(abhaAddress, share.HealthId, StringComparison.OrdinalIgnoreCase))
        {
            throw new RejectionException(GatewayRejection.HealthIdMismatch, "'acknowledgement.abhaAddress' is not the ABHA address of the share.");
        }

        if (context is not null && !string.Equals(context, share.Scan.CounterCode, StringComparison.Ordinal))
        {
            throw new RejectionException(GatewayRejection.ContextMismatch, "'acknowledgement.profile.context' is not the share's metaData.context (the counter id).");
        }

        InboundChecks.CheckConsentManagerId(consentManagerId, share.HealthId);
        share.TryAcknowledge(new PhoneAcknowledgement(
            success ? ShareProfileStatus.SUCCESS : ShareProfileStatus.FAILURE, tokenNumber, null, errorMessage, onShareRequestId, _time.GetUtcNow())
        {
            Expiry = expiry,
            ErrorCodeText = errorCode,
        });
        return Task.FromResult(InboundResult.Accepted);
    }

    private static string VersionText(WireVersion version) => version switch
    {
        WireVersion.V3 => "v3",
        WireVersion.V10 => "v1.0",
        _ => "v0.5",
    };

    [GeneratedRegex(@"^(ABDM-\d{4}|\d{3,6})$", RegexOptions.CultureInvariant)]
    private static partial Regex V3ErrorCode();
}
