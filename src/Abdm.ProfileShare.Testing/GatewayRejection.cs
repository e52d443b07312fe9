namespace Abdm.ProfileShare.Testing;

/// <summary>
/// Why the simulator refused a request (HTTP 400 or 401). The error code in the response body is given for each
/// rule: the v0.5 code, and for the v3 operations (<c>/api/hiecm/...</c>) the v3 code, which is <c>ABDM-1006</c>
/// for every body rule unless stated. The package README lists every rule per operation.
/// </summary>
public enum GatewayRejection
{
    /// <summary>401, WSO2 fault 900902 (v3: flat <c>{"code":"900902",...}</c>): no <c>Authorization: Bearer</c> header.</summary>
    MissingCredentials,

    /// <summary>
    /// 401, WSO2 fault 900901 (v3: flat <c>{"code":"900901",...}</c>): the access token is not one this simulator issued to the client, is expired,
    /// was expired early by a fault, or is not a session access token.
    /// </summary>
    InvalidCredentials,

    /// <summary>
    /// 401, error 1015: wrong <c>clientId</c> or <c>clientSecret</c> on <c>/v0.5/sessions</c> (v3 sessions: flat
    /// <c>{"code":"900901","message":"Invalid Credentials",...}</c>).
    /// </summary>
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

    /// <summary>400, error 1006 (v3: <c>ABDM-2403</c>): no <c>X-CM-ID</c> header.</summary>
    MissingConsentManagerId,

    /// <summary>400, error 1007 (v3: <c>ABDM-2403</c>): <c>X-CM-ID</c> is not the suffix of the patient's PHR address.</summary>
    ConsentManagerIdMismatch,

    /// <summary>
    /// 400, error 1008: <c>resp.requestId</c> of an on-share is not the requestId of a share the simulator sent
    /// (v3: <c>response.requestId</c> is not the <c>REQUEST-ID</c> header of a v3 share the simulator sent).
    /// </summary>
    UnknownShareRequest,

    /// <summary>400, error 1009: an on-share answers a share of another version (v0.5 share, v1.0 or v3 on-share, ...).</summary>
    ShareVersionMismatch,

    /// <summary>
    /// 400, error 1010: <c>acknowledgement.healthId</c> (v3: <c>acknowledgement.abhaAddress</c>, compared
    /// case-insensitively) is not the PHR address of the share it answers.
    /// </summary>
    HealthIdMismatch,

    /// <summary>
    /// 400, error 1011: a v1.0 on-share has no <c>acknowledgement.tokenNumber</c> (or an empty one with SUCCESS); a
    /// v3 SUCCESS on-share has no non-empty string <c>acknowledgement.profile.tokenNumber</c>.
    /// </summary>
    MissingTokenNumber,

    /// <summary>
    /// 400, error 1012: <c>query.requester.id</c> of an auth init is not a registered HIP (v3 generate-token:
    /// <c>ABDM-1035</c>, the <c>X-HIP-ID</c> header is missing or not a registered HIP).
    /// </summary>
    UnknownRequester,

    /// <summary>400, error 1013: <c>transactionId</c> of an auth confirm was not issued by the simulator.</summary>
    UnknownTransaction,

    /// <summary>400, error 1014: the auth transaction's <c>meta.expiry</c> has passed.</summary>
    TransactionExpired,

    /// <summary>v3 only: 400, <c>ABDM-2404</c>: the <c>REQUEST-ID</c> header is missing or not a UUID.</summary>
    InvalidRequestIdHeader,

    /// <summary>v3 only: 400, <c>ABDM-2402</c>: the <c>TIMESTAMP</c> header is missing or not an ISO 8601 UTC date and time.</summary>
    InvalidTimestampHeader,

    /// <summary>v3 only: 400, <c>ABDM-1006</c>: a v3 on-share with status <c>SUCCESS</c> also carries an <c>error</c>.</summary>
    ErrorWithSuccess,

    /// <summary>v3 only: 400, <c>ABDM-1006</c>: <c>acknowledgement.profile.context</c> is not the share's <c>metaData.context</c>.</summary>
    ContextMismatch,

    /// <summary>
    /// v3 only: 400, <c>ABDM-1092</c> "Duplicate Link token request": a generate-token for an ABHA address and
    /// <c>X-HIP-ID</c> whose last accepted generate-token is younger than
    /// <see cref="GatewaySimulatorOptions.LinkTokenRequestWindow"/> (<see cref="GatewaySimulatorOptions.EnforceLinkTokenRequestWindow"/>).
    /// </summary>
    DuplicateLinkTokenRequest,

    /// <summary>
    /// v3 only: 400, <c>ABDM-1006</c>: <c>response.requestId</c> of a running-token on-status is not the
    /// <c>REQUEST-ID</c> of a status request the simulator sent.
    /// </summary>
    UnknownStatusRequest,
}
