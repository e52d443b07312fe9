using System.Text.RegularExpressions;

namespace Abdm.ProfileShare.Workflow;

/// <summary>What the host's <see cref="IShareIntentHandler"/> decided about a share.</summary>
public sealed partial record ShareIntentOutcome
{
    private ShareIntentOutcome(bool accepted, string? errorCode, string? errorMessage)
    {
        Accepted = accepted;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    /// <summary>Accepted: the share is answered 2xx.</summary>
    public static ShareIntentOutcome Accept { get; } = new(true, null, null);

    /// <summary>Whether the share was accepted.</summary>
    public bool Accepted { get; }

    /// <summary>For a refusal: the ABDM error code the share is answered with (<c>ABDM-1149</c>, ...).</summary>
    public string? ErrorCode { get; }

    /// <summary>For a refusal: the message the share is answered with (no patient data).</summary>
    public string? ErrorMessage { get; }

    /// <summary>Refused: the share is answered 400 with <c>{"error":{"code":<paramref name="errorCode"/>,"message":<paramref name="errorMessage"/>}}</c>.</summary>
    /// <param name="errorCode">An ABDM error code: <c>ABDM-</c> and four digits (<c>ABDM-1149</c>), or three to six digits.</param>
    /// <param name="errorMessage">Why, in words; never patient data (it is sent to the gateway).</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentException">The code is not an ABDM error code, or the message is empty.</exception>
    public static ShareIntentOutcome Refuse(string errorCode, string errorMessage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(errorCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(errorMessage);
        if (!AbdmErrorCode().IsMatch(errorCode))
        {
            throw new ArgumentException("An ABDM error code is ABDM- and four digits (ABDM-1149), or three to six digits.", nameof(errorCode));
        }

        return new ShareIntentOutcome(false, errorCode, errorMessage);
    }

    [GeneratedRegex(@"^(ABDM-\d{4}|\d{3,6})$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex AbdmErrorCode();
}
