using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>
/// The page shown for an error status (404 and others) by the status-code middleware, which re-executes the request
/// here with its original method: a POST to an unknown path must show this page, not fail antiforgery validation.
/// </summary>
[IgnoreAntiforgeryToken]
[Microsoft.AspNetCore.Authorization.AllowAnonymous]
internal sealed class StatusModel : PageModel
{
    public int Code { get; private set; } = StatusCodes.Status404NotFound;

    public void OnGet(int? code) => Code = code ?? StatusCodes.Status404NotFound;

    public void OnPost(int? code) => OnGet(code);
}
