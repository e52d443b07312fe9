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
        _ => 1000,
    };
}
