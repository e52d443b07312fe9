namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>One labelled text input of the registration form, with its error message.</summary>
internal sealed record TextField(
    string Field, string Label, string? Value, string? Error, bool Required = false, string Type = "text",
    string? InputMode = null, string? AutoComplete = null, int? Size = null, bool Wide = false);
