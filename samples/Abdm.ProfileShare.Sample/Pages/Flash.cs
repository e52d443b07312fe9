using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>
/// A one-time message carried across a redirect (TempData). Read only by the full counter page, never by the
/// fragments its script fetches, so a background refresh in another tab cannot swallow it.
/// </summary>
internal static class Flash
{
    private const string Key = "flash";

    public static void Set(ITempDataDictionary tempData, string message) => tempData[Key] = message;

    public static string? Take(ITempDataDictionary tempData) => tempData[Key] as string;
}
