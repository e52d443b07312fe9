namespace Abdm.ProfileShare.Sample;

/// <summary>
/// The operator at this browser: a name kept in a cookie, used as the operator id of claims and registrations. A real
/// HIS takes it from its sign-in.
/// </summary>
internal static class Operators
{
    public const string CookieName = "sample-operator";
    public const int MaxLength = 60;

    public static string? Current(HttpContext context)
    {
        var name = context.Request.Cookies[CookieName]?.Trim();
        return string.IsNullOrEmpty(name) ? null : name;
    }

    public static void Set(HttpContext context, string name) =>
        context.Response.Cookies.Append(CookieName, name.Trim(), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(30),
        });
}
