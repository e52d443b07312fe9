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
            if (gateway.BaseUrl is null || !gateway.BaseUrl.IsAbsoluteUri || (gateway.BaseUrl.Scheme != Uri.UriSchemeHttps && gateway.BaseUrl.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{P}:Gateway:BaseUrl must be an absolute http(s) URL, e.g. https://dev.abdm.gov.in/gateway.");
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateCallbacks(List<string> failures, CallbackOptions callbacks)
    {
        if (callbacks.CertsUrl is { } certs && (!certs.IsAbsoluteUri || (certs.Scheme != Uri.UriSchemeHttps && certs.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{P}:Callbacks:CertsUrl must be an absolute http(s) URL (default: {{Gateway:BaseUrl}}/v0.5/certs).");
        }

        for (var i = 0; i < callbacks.ValidAudiences.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(callbacks.ValidAudiences[i]))
            {
                failures.Add($"{P}:Callbacks:ValidAudiences:{i} must not be empty.");
            }
        }

        for (var i = 0; i < callbacks.ValidIssuers.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(callbacks.ValidIssuers[i]))
            {
                failures.Add($"{P}:Callbacks:ValidIssuers:{i} must not be empty.");
            }
        }

        Positive(failures, callbacks.ClockSkew, "Callbacks:ClockSkew", allowZero: true);
        Positive(failures, callbacks.KeysRefreshInterval, "Callbacks:KeysRefreshInterval");
        Positive(failures, callbacks.KeysRefetchMinInterval, "Callbacks:KeysRefetchMinInterval", allowZero: true);
        Positive(failures, callbacks.StaleKeysGracePeriod, "Callbacks:StaleKeysGracePeriod", allowZero: true);

        if (callbacks.MaxBodyBytes < 1024)
        {
            failures.Add($"{P}:Callbacks:MaxBodyBytes must be at least 1024 (default 65536).");
        }

        if (callbacks.MaxStringLength < 64)
        {
            failures.Add($"{P}:Callbacks:MaxStringLength must be at least 64 (default 2048).");
        }

        if (callbacks.MaxJsonDepth is < 8 or > 256)
        {
            failures.Add($"{P}:Callbacks:MaxJsonDepth must be between 8 and 256 (default 16).");
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
