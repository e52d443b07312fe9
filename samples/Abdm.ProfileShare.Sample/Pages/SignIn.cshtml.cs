using System.ComponentModel.DataAnnotations;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Sample.Operators;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>Operator sign-in (user name and password; locked for a while after repeated wrong passwords).</summary>
[AllowAnonymous]
internal sealed class SignInModel(OperatorStore operators, ILogger<SignInModel> logger) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your user name.")]
    public string? UserName { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Enter your password.")]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var (outcome, account) = await operators.SignInAsync(UserName!, Password!, cancellationToken);
        SampleLog.SignIn(logger, outcome);
        if (outcome != SignInOutcome.SignedIn)
        {
            Error = outcome == SignInOutcome.LockedOut
                ? $"Too many wrong passwords: this user is locked for {OperatorStore.LockoutDuration.TotalMinutes:0} minutes. Try again later."
                : "The user name or password is not right.";
            Password = null;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, OperatorUser.Principal(account!));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }

    /// <summary>Signs the operator out (a form post from every page's header).</summary>
    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/sign-in");
    }
}
