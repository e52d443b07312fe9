namespace Abdm.ProfileShare.Model;

/// <summary>What the hospital's patient directory says about a scanned patient.</summary>
public enum MatchKind
{
    /// <summary>The directory was not asked yet.</summary>
    NotChecked,

    /// <summary>No existing patient resembles the profile: a new patient.</summary>
    New,

    /// <summary>An existing patient has the same ABHA number or PHR address: a returning patient.</summary>
    Exact,

    /// <summary>Existing patients resemble the profile (mobile, name, year of birth); the operator decides.</summary>
    Candidates,
}

/// <summary>An existing patient that may be the scanned one.</summary>
/// <param name="PatientId">The hospital's id for the patient.</param>
/// <param name="Score">How strongly the patient matches, 0-100.</param>
/// <param name="Reasons">Which fields matched (for example <c>mobile</c>, <c>name</c>, <c>yearOfBirth</c>).</param>
/// <param name="DisplayName">The name the hospital has for the patient, to show to the operator.</param>
public sealed record MatchCandidate(string PatientId, int Score, IReadOnlyList<string> Reasons, string? DisplayName)
{
    /// <inheritdoc />
    public override string ToString() => $"MatchCandidate {{ PatientId = {PatientId}, Score = {Score} }}";
}

/// <summary>The result of looking the scanned patient up in the hospital's directory.</summary>
public sealed record PatientMatch
{
    /// <summary>Not looked up yet.</summary>
    public static PatientMatch NotChecked { get; } = new() { Kind = MatchKind.NotChecked };

    /// <summary>The kind of match.</summary>
    public MatchKind Kind { get; init; }

    /// <summary>The existing patient, when <see cref="Kind"/> is <see cref="MatchKind.Exact"/>.</summary>
    public string? PatientId { get; init; }

    /// <summary>Which identifier matched exactly (<c>abhaNumber</c> or <c>phrAddress</c>).</summary>
    public string? MatchedBy { get; init; }

    /// <summary>Scored candidates, best first, when <see cref="Kind"/> is <see cref="MatchKind.Candidates"/>.</summary>
    public IReadOnlyList<MatchCandidate> Candidates { get; init; } = [];
}
