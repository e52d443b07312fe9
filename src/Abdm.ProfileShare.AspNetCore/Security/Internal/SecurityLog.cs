using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.AspNetCore.Security.Internal;

/// <summary>
/// Log messages of callback authentication (event ids 2100-2199). Messages carry reasons, key ids and counts
/// only: never token content, claims or patient data.
/// </summary>
internal static partial class SecurityLog
{
    // 2100-2119: token validation
    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Gateway callback rejected: {Reason}")]
    public static partial void CallbackRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Callback token validation is DISABLED (AbdmProfileShare:Callbacks:DisableTokenValidation = true) in the {Environment} environment: any caller can post callbacks. Never use this outside development.")]
    public static partial void TokenValidationDisabled(ILogger logger, string environment);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Callback accepted WITHOUT token validation (AbdmProfileShare:Callbacks:DisableTokenValidation = true)")]
    public static partial void CallbackNotVerified(ILogger logger);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "Callback token valid but expired {LateSeconds} s ago: accepted only as the late answer to a request this host awaits")]
    public static partial void LateTokenSeen(ILogger logger, double lateSeconds);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Late delivery accepted: {Callback} for request {RequestId} carried a token expired {LateSeconds} s ago (the gateway redelivers with the original token)")]
    public static partial void LateDeliveryAccepted(ILogger logger, string callback, Guid requestId, double lateSeconds);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Gateway callback answered 503 (the gateway will deliver it again): {Reason}")]
    public static partial void CallbackDeferred(ILogger logger, string reason);

    // 2120-2139: signing keys
    [LoggerMessage(EventId = 2120, Level = LogLevel.Information, Message = "Gateway signing keys fetched from {CertsUrl}: {KeyCount} usable key(s)")]
    public static partial void SigningKeysFetched(ILogger logger, Uri certsUrl, int keyCount);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "Fetching gateway signing keys from {CertsUrl} failed: {Reason}")]
    public static partial void SigningKeysFetchFailed(ILogger logger, Uri certsUrl, string reason, Exception? exception);

    [LoggerMessage(EventId = 2122, Level = LogLevel.Warning, Message = "Gateway signing keys are {AgeMinutes:F0} minutes old and could not be refreshed; using the known keys until the grace period ends")]
    public static partial void UsingStaleSigningKeys(ILogger logger, double ageMinutes);

    [LoggerMessage(EventId = 2123, Level = LogLevel.Information, Message = "A callback token names an unknown signing key id; fetching the gateway's keys again")]
    public static partial void UnknownKeyIdRefetch(ILogger logger);

    [LoggerMessage(EventId = 2124, Level = LogLevel.Debug, Message = "Signing key refetch skipped: the last fetch was less than {MinIntervalSeconds} s ago")]
    public static partial void RefetchRateLimited(ILogger logger, double minIntervalSeconds);

    [LoggerMessage(EventId = 2125, Level = LogLevel.Debug, Message = "Gateway JWKS entry skipped: {Reason}")]
    public static partial void SigningKeySkipped(ILogger logger, string reason);
}
