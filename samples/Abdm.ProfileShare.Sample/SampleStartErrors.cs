using Microsoft.AspNetCore.Connections;

namespace Abdm.ProfileShare.Sample;

/// <summary>Start-up failures a user can fix, told in one line.</summary>
internal static class SampleStartErrors
{
    /// <summary>
    /// The one-line message for "address already in use" (usually a second copy of the sample), or null when
    /// <paramref name="error"/> is something else.
    /// </summary>
    public static string? AddressInUse(Exception error)
    {
        if (error is not IOException { InnerException: AddressInUseException })
        {
            return null;
        }

        return $"Could not start: {error.Message.TrimEnd('.')}. Is the sample already running? Stop it, or start this one on other ports: "
            + "--urls http://127.0.0.1:5001 --Sample:CallbackUrls http://127.0.0.1:5081";
    }
}
