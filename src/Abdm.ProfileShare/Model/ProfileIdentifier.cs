namespace Abdm.ProfileShare.Model;

/// <summary>One <c>{type, value}</c> identifier of a shared profile (for example <c>MOBILE</c>).</summary>
/// <param name="Type">The identifier type as sent (<c>MR</c>, <c>MOBILE</c>, <c>NDHM_HEALTH_NUMBER</c>, <c>HEALTH_ID</c>).</param>
/// <param name="Value">The value; real traffic sometimes sends <see langword="null"/>.</param>
public sealed record ProfileIdentifier(string Type, string? Value)
{
    /// <inheritdoc />
    public override string ToString() => $"ProfileIdentifier {{ Type = {Type}, Value = redacted }}";
}
