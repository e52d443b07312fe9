namespace Abdm.ProfileShare.Testing;

/// <summary>
/// Why the simulator refused a request (HTTP 400 or 401). The error code in the response body is given for each
/// rule; the package README lists every rule per operation.
/// </summary>
public enum GatewayRejection
{
    /// <summary>401, WSO2 fault 900902: no <c>Authorization: Bearer</c> header.</summary>
    MissingCredentials,

    /// <summary>
    /// 401, WSO2 fault 900901: the access token is not one this simulator issued to the client, is expired,
    /// was expired early by a fault, or is not a session access token.
    /// </summary>
    InvalidCredentials,

    /// <summary>401, error 1015: wrong <c>clientId</c> or <c>clientSecret</c> on <c>/v0.5/sessions</c>.</summary>
    InvalidClientCredentials,

    /// <summary>401, error 1016: the <c>refreshToken</c> of a <c>refresh_token</c> grant is invalid or expired.</summary>
    InvalidRefreshToken,

    /// <summary>400, error 1001: the body is empty or not well-formed JSON, or not a JSON object.</summary>
    MalformedJson,

    /// <summary>400, error 1002: a required field is missing, <see langword="null"/> or empty.</summary>
    MissingField,

    /// <summary>400, error 1003: a field has the wrong type or format (a requestId that is not a UUID, a dateOfBirth that is not YYYY-MM-DD, ...).</summary>
    InvalidFieldValue,

    /// <summary>400, error 1004: an enum field has a value the simulator does not accept (see the README).</summary>
    InvalidEnumValue,

    /// <summary>400, error 1005: <c>timestamp</c> is not an ISO 8601 date and time.</summary>
    InvalidTimestamp,

    /// <summary>400, error 1006: no <c>X-CM-ID</c> header.</summary>
    MissingConsentManagerId,

    /// <summary>400, error 1007: <c>X-CM-ID</c> is not the suffix of the patient's PHR address.</summary>
    ConsentManagerIdMismatch,

    /// <summary>400, error 1008: <c>resp.requestId</c> of an on-share is not the requestId of a share the simulator sent.</summary>
    UnknownShareRequest,

    /// <summary>400, error 1009: an on-share answers a share of the other version (v0.5 share, v1.0 on-share or back).</summary>
    ShareVersionMismatch,

    /// <summary>400, error 1010: <c>acknowledgement.healthId</c> is not the PHR address of the share it answers.</summary>
    HealthIdMismatch,

    /// <summary>400, error 1011: a v1.0 on-share has no <c>acknowledgement.tokenNumber</c> (or an empty one with SUCCESS).</summary>
    MissingTokenNumber,

    /// <summary>400, error 1012: <c>query.requester.id</c> of an auth init is not a registered HIP.</summary>
    UnknownRequester,

    /// <summary>400, error 1013: <c>transactionId</c> of an auth confirm was not issued by the simulator.</summary>
    UnknownTransaction,

    /// <summary>400, error 1014: the auth transaction's <c>meta.expiry</c> has passed.</summary>
    TransactionExpired,
}
