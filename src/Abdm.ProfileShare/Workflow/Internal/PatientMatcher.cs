using System.Text;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// Scores directory patients against a shared profile: an ABHA number match, else a PHR address match, is exact;
/// otherwise mobile (50), name (30, or 15 for a partial name) and year of birth (20) add up to a score, and
/// patients scoring at least 30 are candidates, best first (at most 5).
/// </summary>
internal static class PatientMatcher
{
    public const int CandidateThreshold = 30;
    private const int MaxCandidates = 5;

    public static PatientMatch Match(SharedPatientProfile profile, IReadOnlyList<DirectoryPatient> patients)
    {
        var abha = DigitsOnly(profile.AbhaNumber);
        if (abha.Length > 0)
        {
            var byAbha = patients.FirstOrDefault(p => DigitsOnly(p.AbhaNumber) == abha);
            if (byAbha is not null)
            {
                return new PatientMatch { Kind = MatchKind.Exact, PatientId = byAbha.PatientId, MatchedBy = "abhaNumber" };
            }
        }

        var byPhr = patients.FirstOrDefault(p => !string.IsNullOrWhiteSpace(p.PhrAddress)
            && PhrAddress.AreSame(p.PhrAddress.Trim(), profile.HealthId.Trim()));
        if (byPhr is not null)
        {
            return new PatientMatch { Kind = MatchKind.Exact, PatientId = byPhr.PatientId, MatchedBy = "phrAddress" };
        }

        var mobile = LastTenDigits(profile.Mobile);
        var name = NormalizeName(profile.Name);
        var nameParts = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var candidates = new List<MatchCandidate>();
        foreach (var patient in patients)
        {
            var score = 0;
            var reasons = new List<string>(3);
            if (mobile.Length == 10 && LastTenDigits(patient.Mobile) == mobile)
            {
                score += 50;
                reasons.Add("mobile");
            }

            var otherName = NormalizeName(patient.Name);
            if (otherName.Length > 0 && otherName == name)
            {
                score += 30;
                reasons.Add("name");
            }
            else if (otherName.Length > 0 && nameParts.Length > 0 && otherName.Split(' ', StringSplitOptions.RemoveEmptyEntries).Intersect(nameParts).Any())
            {
                score += 15;
                reasons.Add("partialName");
            }

            if (patient.YearOfBirth == profile.YearOfBirth)
            {
                score += 20;
                reasons.Add("yearOfBirth");
            }

            if (score >= CandidateThreshold)
            {
                candidates.Add(new MatchCandidate(patient.PatientId, score, reasons, patient.Name));
            }
        }

        if (candidates.Count == 0)
        {
            return new PatientMatch { Kind = MatchKind.New };
        }

        return new PatientMatch
        {
            Kind = MatchKind.Candidates,
            Candidates = [.. candidates.OrderByDescending(c => c.Score).ThenBy(c => c.PatientId, StringComparer.Ordinal).Take(MaxCandidates)],
        };
    }

    internal static string DigitsOnly(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string LastTenDigits(string? value)
    {
        var digits = DigitsOnly(value);
        return digits.Length >= 10 ? digits[^10..] : digits;
    }

    private static string NormalizeName(string? name) =>
        string.Join(' ', (name ?? "").ToUpperInvariant().Split([' ', '\t', '.', ','], StringSplitOptions.RemoveEmptyEntries));
}
