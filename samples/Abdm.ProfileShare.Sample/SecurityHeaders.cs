namespace Abdm.ProfileShare.Sample;

/// <summary>
/// Headers on every UI response: a Content-Security-Policy that allows scripts, styles, images and fetches from this
/// origin only (no inline script or style: the pages' scripts are files under <c>wwwroot/js</c>), no framing, no
/// MIME sniffing, and no referrer (URLs carry facility and entry ids). HSTS is added by <c>UseHsts</c> outside
/// Development (on HTTPS responses only).
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static Task Add(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        return next();
    }
}
