using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Testing.Internal;

// The v0.5/v1.0 demographic auth chain: auth/init (answered by on-init) and auth/confirm (answered by on-confirm).
internal sealed partial class SimulatorEngine
{
    private Task<InboundResult> AuthInit(Inbound inbound)
    {
        var consentManagerId = InboundChecks.RequireConsentManagerId(inbound);
        var rules = inbound.Rules;
        var initRequestId = rules.Uuid("requestId");
        rules.Timestamp("timestamp");
        rules.Object("query");
        var healthId = rules.String("query.id");
        inbound.HealthId = healthId;
        rules.Enum("query.purpose", "LINK");
        rules.Enum("query.authMode", "DEMOGRAPHICS");
        rules.Object("query.requester");
        rules.Enum("query.requester.type", "HIP");
        var hipId = rules.String("query.requester.id");
        inbound.HipId = hipId;
        if (!_hips.TryGetValue(hipId, out var hipUrl))
        {
            throw new RejectionException(GatewayRejection.UnknownRequester, "'query.requester.id' is not a HIP registered with the gateway.");
        }

        InboundChecks.CheckConsentManagerId(consentManagerId, healthId);
        var known = _patients.ContainsKey(healthId);
        var plan = Faults.Take(GatewayOperation.OnInit);
        Outgoing Build()
        {
            var now = _time.GetUtcNow();
            var requestId = Guid.NewGuid();
            if (!known)
            {
                return new Outgoing(WireBuilder.OnInit(requestId, now, initRequestId, null, default, new Error { Code = 1440, Message = "PHR address not found." }), requestId, initRequestId, healthId);
            }

            var transaction = new AuthTransaction(Guid.NewGuid().ToString(), healthId, hipId, now + _options.AuthTransactionLifetime);
            _transactions[transaction.Id] = transaction;
            return new Outgoing(WireBuilder.OnInit(requestId, now, initRequestId, transaction.Id, transaction.ExpiresAt, null), requestId, initRequestId, healthId);
        }

        return Task.FromResult(InboundResult.Accepted with
        {
            Callback = ct => _caller.DeliverAsync(GatewayOperation.OnInit, hipId, Combine(hipUrl, WireBuilder.OnInitPath), plan, Build, ct),
            CallbackBeforeAccepted = plan.Has(FaultKind.BeforeAccepted),
        });
    }

    private Task<InboundResult> AuthConfirm(Inbound inbound)
    {
        var consentManagerId = InboundChecks.RequireConsentManagerId(inbound);
        var rules = inbound.Rules;
        var confirmRequestId = rules.Uuid("requestId");
        rules.Timestamp("timestamp");
        var transactionId = rules.String("transactionId");
        rules.Object("credential");
        if (rules.Find("credential.demographic") is null)
        {
            throw new RejectionException(GatewayRejection.MissingField, "Required field 'credential.demographic' is missing, null or empty (the simulator does demographic auth only).");
        }

        rules.Object("credential.demographic");
        var name = rules.String("credential.demographic.name");
        var gender = rules.Enum("credential.demographic.gender", "M", "F", "O", "U");
        rules.Date("credential.demographic.dateOfBirth");
        var dateOfBirth = rules.String("credential.demographic.dateOfBirth");
        string? mobile = null;
        rules.OptionalObject("credential.demographic.identifier");
        if (rules.Find("credential.demographic.identifier") is not null)
        {
            rules.Enum("credential.demographic.identifier.type", "MOBILE");
            mobile = rules.String("credential.demographic.identifier.value");
        }

        if (!_transactions.TryGetValue(transactionId, out var transaction))
        {
            throw new RejectionException(GatewayRejection.UnknownTransaction, "'transactionId' was not issued by the gateway (use the one from on-init).");
        }

        inbound.HealthId = transaction.HealthId;
        inbound.HipId = transaction.HipId;
        if (_time.GetUtcNow() >= transaction.ExpiresAt)
        {
            throw new RejectionException(GatewayRejection.TransactionExpired, "The auth transaction has expired; start again with auth init.");
        }

        InboundChecks.CheckConsentManagerId(consentManagerId, transaction.HealthId);
        var patient = _patients[transaction.HealthId];
        var matches = string.Equals(name, patient.Name, StringComparison.Ordinal)
                      && string.Equals(gender, WireBuilder.ToWire(patient.Gender).ToString(), StringComparison.Ordinal)
                      && string.Equals(dateOfBirth, patient.AuthDateOfBirth, StringComparison.Ordinal)
                      && (mobile is null || string.Equals(mobile, WireBuilder.MobileOf(patient), StringComparison.Ordinal));
        var hipUrl = _hips.TryGetValue(transaction.HipId, out var url) ? url : throw new RejectionException(GatewayRejection.UnknownRequester, "The HIP of this transaction is no longer registered.");
        var plan = Faults.Take(GatewayOperation.OnConfirm);
        Outgoing Build()
        {
            var requestId = Guid.NewGuid();
            var now = _time.GetUtcNow();
            var body = matches
                ? WireBuilder.OnConfirm(requestId, now, confirmRequestId, Tokens.IssueLinkingToken(transaction.HealthId, transaction.HipId), null)
                : WireBuilder.OnConfirm(requestId, now, confirmRequestId, null, new Error { Code = 1441, Message = "Invalid auth confirm request." });
            return new Outgoing(body, requestId, confirmRequestId, transaction.HealthId);
        }

        return Task.FromResult(InboundResult.Accepted with
        {
            Callback = ct => _caller.DeliverAsync(GatewayOperation.OnConfirm, transaction.HipId, Combine(hipUrl, WireBuilder.OnConfirmPath), plan, Build, ct),
            CallbackBeforeAccepted = plan.Has(FaultKind.BeforeAccepted),
        });
    }
}
