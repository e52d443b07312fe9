using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Abdm.ProfileShare.Sample.Operators;

/// <summary>The signed-in operator, from the authentication cookie: their name (the operator id) and facility.</summary>
internal static class OperatorUser
{
    public const string FacilityClaim = "hip_id";

    public static ClaimsPrincipal Principal(OperatorAccount account) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, account.UserName), new Claim(FacilityClaim, account.HipId)],
            CookieAuthenticationDefaults.AuthenticationScheme));

    /// <summary>The operator id saved on claims and registrations (the sign-in name).</summary>
    public static string Name(this ClaimsPrincipal user) => user.Identity?.Name ?? throw new InvalidOperationException("No operator is signed in.");

    /// <summary>The facility (HIP id) the operator works at.</summary>
    public static string? HipId(this ClaimsPrincipal user) => user.FindFirst(FacilityClaim)?.Value;

    /// <summary>Whether the operator may open this facility's counters, entries, QR codes and live feeds.</summary>
    public static bool Serves(this ClaimsPrincipal user, string hipId) =>
        user.Identity?.IsAuthenticated == true && string.Equals(user.HipId(), hipId, StringComparison.Ordinal);
}
