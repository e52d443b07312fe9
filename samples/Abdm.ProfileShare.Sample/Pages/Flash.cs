using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>
/// A one-time message carried across a redirect (TempData): the outcome of a registration, or why an action could not
/// be done (post/redirect/get: the operator never stays on a POST URL). Read only by the full counter page, never by
/// the fragments its script fetches, so a background refresh in another tab cannot swallow it.
/// </summary>
internal static class Flash
{
    private const string Key = "flash";
    private const string ErrorKey = "flash-error";

    public static void Set(ITempDataDictionary tempData, string message) => tempData[Key] = message;

    public static void SetError(ITempDataDictionary tempData, string message) => tempData[ErrorKey] = message;

    public static string? Take(ITempDataDictionary tempData) => tempData[Key] as string;

    public static string? TakeError(ITempDataDictionary tempData) => tempData[ErrorKey] as string;
}
