using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>Sets the operator name (a cookie) used when claiming and registering patients.</summary>
internal sealed class OperatorModel : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your name.")]
    [StringLength(Operators.MaxLength, ErrorMessage = "Use at most 60 characters.")]
    public string? Name { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet() => Name = Operators.Current(HttpContext);

    public IActionResult OnPost()
    {
        if (!ModelState.IsValid || string.IsNullOrWhiteSpace(Name))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        Operators.Set(HttpContext, Name);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
