using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Internal;

/// <summary>Validates <see cref="AbdmProfileShareOptions"/> at start-up, reporting every problem at once, each by its configuration key.</summary>
internal sealed class AbdmProfileShareOptionsValidator : IValidateOptions<AbdmProfileShareOptions>
{
    private const string P = AbdmProfileShareOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AbdmProfileShareOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.HipIds.Count == 0)
        {
            failures.Add($"{P}:HipIds is required: list at least one HIP (facility) id this host serves, e.g. {P}:HipIds:0.");
        }
        else
        {
            for (var i = 0; i < options.HipIds.Count; i++)
            {
                var hip = options.HipIds[i];
                if (string.IsNullOrWhiteSpace(hip) || hip.Length > 64 || hip.Any(char.IsWhiteSpace))
                {
                    failures.Add($"{P}:HipIds:{i} must be a non-empty HIP id of at most 64 characters without spaces.");
                }
            }
        }

        var gateway = options.Gateway;
        if (gateway is null)
        {
            failures.Add($"{P}:Gateway is required.");
        }
        else
        {
            if (gateway.BaseUrl is { } baseUrl && (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp)))
            {
                failures.Add(options.WireVersion == Model.WireVersion.V3
                    ? $"{P}:Gateway:BaseUrl must be an absolute http(s) URL, e.g. https://dev.abdm.gov.in (v3 paths start at the host)."
                    : $"{P}:Gateway:BaseUrl must be an absolute http(s) URL, e.g. https://dev.abdm.gov.in/gateway.");
            }
            else if (options.WireVersion == Model.WireVersion.V3 && gateway.BaseUrl is { } v3Url && v3Url.AbsolutePath.TrimEnd('/').EndsWith("/gateway", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{P}:Gateway:BaseUrl ends with /gateway, the v0.5 base; with {P}:WireVersion V3 it must be the host (e.g. https://dev.abdm.gov.in): v3 paths start with /api/hiecm.");
            }

            if (string.IsNullOrWhiteSpace(gateway.ClientId))
            {
                failures.Add($"{P}:Gateway:ClientId is required (the client id ABDM issued to this HIP).");
            }

            if (string.IsNullOrWhiteSpace(gateway.ClientSecret))
            {
                failures.Add($"{P}:Gateway:ClientSecret is required (set it from a secret store or the environment variable {P}__Gateway__ClientSecret).");
            }

            if (string.IsNullOrWhiteSpace(gateway.DefaultConsentManagerId))
            {
                failures.Add($"{P}:Gateway:DefaultConsentManagerId is required (sbx for the sandbox, abdm in production).");
            }

            Positive(failures, gateway.SessionRefreshMargin, "Gateway:SessionRefreshMargin", allowZero: true);
        }

        if (!Enum.IsDefined(options.WireVersion))
        {
            failures.Add($"{P}:WireVersion must be V05, V10 or V3.");
        }

        if (options.V3 is { } v3)
        {
            if (!Enum.IsDefined(v3.ExpiryUnit))
            {
                failures.Add($"{P}:V3:ExpiryUnit must be Seconds or Minutes.");
            }

            if (string.IsNullOrWhiteSpace(v3.RejectionErrorCode) || v3.RejectionErrorCode.Length > 32)
            {
                failures.Add($"{P}:V3:RejectionErrorCode must be an ABDM error code such as ABDM-9999.");
            }
        }

        if (options.Qr?.ShareProfileUrl is not { IsAbsoluteUri: true } qrUrl || qrUrl.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(qrUrl.Query))
        {
            failures.Add($"{P}:Qr:ShareProfileUrl must be an absolute https URL without a query, e.g. https://phrsbx.abdm.gov.in/share-profile.");
        }

        var resilience = options.Resilience;
        if (resilience is not null)
        {
            Positive(failures, resilience.AttemptTimeout, "Resilience:AttemptTimeout");
            Positive(failures, resilience.TotalTimeout, "Resilience:TotalTimeout");
            if (resilience.TotalTimeout < resilience.AttemptTimeout)
            {
                failures.Add($"{P}:Resilience:TotalTimeout must be at least {P}:Resilience:AttemptTimeout.");
            }

            if (resilience.MaxRetryAttempts is < 0 or > 10)
            {
                failures.Add($"{P}:Resilience:MaxRetryAttempts must be between 0 and 10.");
            }

            Positive(failures, resilience.RetryBaseDelay, "Resilience:RetryBaseDelay");
            if (resilience.CircuitBreakerFailureRatio is <= 0 or > 1)
            {
                failures.Add($"{P}:Resilience:CircuitBreakerFailureRatio must be greater than 0 and at most 1.");
            }

            if (resilience.CircuitBreakerMinimumThroughput < 2)
            {
                failures.Add($"{P}:Resilience:CircuitBreakerMinimumThroughput must be at least 2.");
            }

            if (resilience.CircuitBreakerSamplingDuration < TimeSpan.FromMilliseconds(500))
            {
                failures.Add($"{P}:Resilience:CircuitBreakerSamplingDuration must be at least 00:00:00.5.");
            }

            if (resilience.CircuitBreakerBreakDuration < TimeSpan.FromMilliseconds(500))
            {
                failures.Add($"{P}:Resilience:CircuitBreakerBreakDuration must be at least 00:00:00.5.");
            }
        }

        var queue = options.Queue;
        if (queue is not null)
        {
            Positive(failures, queue.RescanWindow, "Queue:RescanWindow", allowZero: true);
            Positive(failures, queue.EntryLifetime, "Queue:EntryLifetime");
            Positive(failures, queue.Retention, "Queue:Retention", allowZero: true);
            if (queue.EntryLifetime < queue.RescanWindow)
            {
                failures.Add($"{P}:Queue:EntryLifetime must be at least {P}:Queue:RescanWindow.");
            }

            if (string.IsNullOrWhiteSpace(queue.DefaultCounterCode))
            {
                failures.Add($"{P}:Queue:DefaultCounterCode is required.");
            }

            if (!TryFindTimeZone(queue.TimeZone))
            {
                failures.Add($"{P}:Queue:TimeZone '{queue.TimeZone}' is not a known time zone id (e.g. Asia/Kolkata).");
            }
        }

        if (options.Linking is { } linking)
        {
            Positive(failures, linking.CallbackTimeout, "Linking:CallbackTimeout");
            Positive(failures, linking.RequestWindow, "Linking:RequestWindow");
            Positive(failures, linking.BlockDuration, "Linking:BlockDuration");
            if (linking.BlockedErrorCodes.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{P}:Linking:BlockedErrorCodes must not contain an empty code.");
            }

            if (options.Queue is { } retained && retained.Retention >= TimeSpan.Zero && linking.RequestWindow > retained.Retention)
            {
                failures.Add($"{P}:Linking:RequestWindow ({linking.RequestWindow}) must not be longer than {P}:Queue:Retention ({retained.Retention}): the purge would forget a request still inside its window.");
            }
            if (!Enum.IsDefined(linking.Start))
            {
                failures.Add($"{P}:Linking:Start must be AfterAcknowledgement, OnClaim or Manual.");
            }
        }

        if (options.Outbox is { } outbox)
        {
            Positive(failures, outbox.LeaseDuration, "Outbox:LeaseDuration");
            Positive(failures, outbox.RetryBaseDelay, "Outbox:RetryBaseDelay");
            Positive(failures, outbox.IdleCheckInterval, "Outbox:IdleCheckInterval");
            if (outbox.RetryMaxDelay < outbox.RetryBaseDelay)
            {
                failures.Add($"{P}:Outbox:RetryMaxDelay must be at least {P}:Outbox:RetryBaseDelay.");
            }

            if (outbox.MaxConcurrency is < 1 or > 256)
            {
                failures.Add($"{P}:Outbox:MaxConcurrency must be between 1 and 256.");
            }
        }

        if (options.Callbacks is { } callbacks)
        {
            ValidateCallbacks(failures, callbacks);
        }
        else
        {
            failures.Add($"{P}:Callbacks is required.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateCallbacks(List<string> failures, CallbackOptions callbacks)
    {
        if (callbacks.CertsUrl is { } certs && (!certs.IsAbsoluteUri || (certs.Scheme != Uri.UriSchemeHttps && certs.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{P}:Callbacks:CertsUrl must be an absolute http(s) URL (the gateway's JWKS, e.g. https://dev.abdm.gov.in/gateway/v0.5/certs), or be left unset.");
        }

        for (var i = 0; i < callbacks.ValidIssuers.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(callbacks.ValidIssuers[i]))
            {
                failures.Add($"{P}:Callbacks:ValidIssuers:{i} must not be empty.");
            }
        }

        for (var i = 0; i < callbacks.ValidAudiences.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(callbacks.ValidAudiences[i]))
            {
                failures.Add($"{P}:Callbacks:ValidAudiences:{i} must not be empty.");
            }
        }

        if (!callbacks.GatewayClientIds.Any(static id => !string.IsNullOrWhiteSpace(id)))
        {
            failures.Add($"{P}:Callbacks:GatewayClientIds must list at least one client id (the gateway's callback tokens name azp/clientId gateway), e.g. {P}:Callbacks:GatewayClientIds:0 = gateway.");
        }
        else
        {
            for (var i = 0; i < callbacks.GatewayClientIds.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(callbacks.GatewayClientIds[i]))
                {
                    failures.Add($"{P}:Callbacks:GatewayClientIds:{i} must not be empty.");
                }
            }
        }

        if (callbacks.LateDeliveryGrace < TimeSpan.Zero || callbacks.LateDeliveryGrace > TimeSpan.FromHours(1))
        {
            failures.Add($"{P}:Callbacks:LateDeliveryGrace must be between 00:00:00 (off) and 01:00:00.");
        }

        if (callbacks.MaxTokenLifetime < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{P}:Callbacks:MaxTokenLifetime must be at least 00:01:00.");
        }

        if (callbacks.ClockSkew < TimeSpan.Zero || callbacks.ClockSkew > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{P}:Callbacks:ClockSkew must be between 00:00:00 and 00:10:00.");
        }

        if (callbacks.KeysRefreshInterval < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{P}:Callbacks:KeysRefreshInterval must be at least 00:01:00.");
        }

        if (callbacks.KeysRefetchMinInterval < TimeSpan.FromSeconds(1) || callbacks.KeysRefetchMinInterval > callbacks.KeysRefreshInterval)
        {
            failures.Add($"{P}:Callbacks:KeysRefetchMinInterval must be at least 00:00:01 and at most {P}:Callbacks:KeysRefreshInterval (it bounds how often a token with an unknown kid can make the gateway's JWKS be fetched).");
        }

        Positive(failures, callbacks.StaleKeysGracePeriod, "Callbacks:StaleKeysGracePeriod", allowZero: true);

        if (callbacks.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"{P}:Callbacks:MaxBodyBytes must be between 1024 and 16777216 (16 MiB).");
        }

        if (callbacks.MaxStringLength < 64 || callbacks.MaxStringLength > callbacks.MaxBodyBytes)
        {
            failures.Add($"{P}:Callbacks:MaxStringLength must be at least 64 and at most {P}:Callbacks:MaxBodyBytes.");
        }

        if (callbacks.MaxJsonDepth is < 4 or > 32)
        {
            failures.Add($"{P}:Callbacks:MaxJsonDepth must be between 4 and 32 (the contract serializer stops at 32).");
        }
    }

    internal static bool TryFindTimeZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    private static void Positive(List<string> failures, TimeSpan value, string key, bool allowZero = false)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            failures.Add($"{P}:{key} must be {(allowZero ? "zero or more" : "greater than zero")} (a time span such as 00:00:30).");
        }
    }
}
