namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>A request broke a rule; answered with <see cref="StatusCode"/> and the gateway's error body.</summary>
internal sealed class RejectionException : Exception
{
    public RejectionException(GatewayRejection rule, string message)
        : base(message)
    {
        Rule = rule;
    }

    public RejectionException()
    {
    }

    public RejectionException(string message)
        : base(message)
    {
    }

    public RejectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GatewayRejection Rule { get; }

    public int StatusCode => StatusCodeOf(Rule);

    public int ErrorCode => ErrorCodeOf(Rule);

    /// <summary>The v3 error code (a string, as the v3 gateway sends it).</summary>
    public string V3ErrorCode => V3ErrorCodeOf(Rule);

    /// <summary><see langword="true"/> for the rules a v3 gateway answers with the API gateway's flat 401 body.</summary>
    public static bool IsV3Flat(GatewayRejection rule) =>
        rule is GatewayRejection.MissingCredentials or GatewayRejection.InvalidCredentials or GatewayRejection.InvalidClientCredentials;

    public static string V3ErrorCodeOf(GatewayRejection rule) => rule switch
    {
        GatewayRejection.MissingCredentials => "900902",
        GatewayRejection.InvalidCredentials or GatewayRejection.InvalidClientCredentials => "900901",
        GatewayRejection.InvalidTimestampHeader => "ABDM-2402",
        GatewayRejection.MissingConsentManagerId or GatewayRejection.ConsentManagerIdMismatch => "ABDM-2403",
        GatewayRejection.InvalidRequestIdHeader => "ABDM-2404",
        GatewayRejection.UnknownRequester => "ABDM-1035",
        GatewayRejection.DuplicateLinkTokenRequest => "ABDM-1092",
        _ => "ABDM-1006",
    };

    public static int StatusCodeOf(GatewayRejection rule) => rule switch
    {
        GatewayRejection.MissingCredentials or GatewayRejection.InvalidCredentials
            or GatewayRejection.InvalidClientCredentials or GatewayRejection.InvalidRefreshToken => 401,
        _ => 400,
    };

    public static int ErrorCodeOf(GatewayRejection rule) => rule switch
    {
        GatewayRejection.MissingCredentials => 900902,
        GatewayRejection.InvalidCredentials => 900901,
        GatewayRejection.InvalidClientCredentials => 1015,
        GatewayRejection.InvalidRefreshToken => 1016,
        GatewayRejection.MalformedJson => 1001,
        GatewayRejection.MissingField => 1002,
        GatewayRejection.InvalidFieldValue => 1003,
        GatewayRejection.InvalidEnumValue => 1004,
        GatewayRejection.InvalidTimestamp => 1005,
        GatewayRejection.MissingConsentManagerId => 1006,
        GatewayRejection.ConsentManagerIdMismatch => 1007,
        GatewayRejection.UnknownShareRequest => 1008,
        GatewayRejection.ShareVersionMismatch => 1009,
        GatewayRejection.HealthIdMismatch => 1010,
        GatewayRejection.MissingTokenNumber => 1011,
        GatewayRejection.UnknownRequester => 1012,
        GatewayRejection.UnknownTransaction => 1013,
        GatewayRejection.TransactionExpired => 1014,
        GatewayRejection.ErrorWithSuccess => 1017,
        GatewayRejection.ContextMismatch => 1018,
        GatewayRejection.DuplicateLinkTokenRequest => 1092,
        GatewayRejection.UnknownStatusRequest => 1019,
        _ => 1000,
    };
}
