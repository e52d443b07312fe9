using System.Globalization;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Sample.Display;

/// <summary>The words an operator reads for a queue entry's state.</summary>
internal static class QueueText
{
    public const string DemographicMismatch =
        "ABHA details did not match (name, gender or date of birth as shared). The patient can still be registered; records cannot be linked until the details match.";

    public const string TimedOut = "ABDM did not answer in time. The patient can still be registered; try linking again later.";

    /// <summary>The linking-token state in words.</summary>
    public static string Linking(QueueEntry entry, LocalClock? clock = null)
    {
        var linking = entry.Linking;
        return linking.State switch
        {
            LinkingState.NotStarted when entry.Acknowledgement == AcknowledgementState.Failed => "Linking token not requested: ABDM refused the answer to the patient's phone.",
            LinkingState.NotStarted when entry.Acknowledgement == AcknowledgementState.Pending => "Linking token not requested yet: answering the patient's phone first.",
            LinkingState.NotStarted => "Linking token not requested yet.",
            LinkingState.AwaitingTransaction => "Asking ABDM for a linking token…",
            LinkingState.AwaitingToken when linking.TokenRequestId is not null => "Asking ABDM for a link token…",
            LinkingState.AwaitingToken => "Confirming the patient's details with ABDM…",
            LinkingState.Linked when linking.ReusedToken => "Linked with the patient's stored token (no new request to ABDM): records can be linked.",
            LinkingState.Linked => "Linking token received: records can be linked.",
            LinkingState.Throttled => string.Create(CultureInfo.InvariantCulture,
                $"Waiting to ask ABDM for a token{(clock is not null && linking.ProceedAt is { } at ? " until " + clock.Format(at) : "")}: ABDM allows one request per patient every few minutes and blocks a patient who is asked for more."),
            LinkingState.TimedOut => TimedOut,
            LinkingState.Failed => Failure(linking.ErrorCode),
            _ => linking.State.ToString(),
        };
    }

    /// <summary>Whether the linking state is a problem the operator should notice.</summary>
    public static bool LinkingProblem(QueueEntry entry) => entry.Linking.State is LinkingState.Failed or LinkingState.TimedOut;

    public static string Failure(string? errorCode) => errorCode switch
    {
        "1441" or "ABDM-1051" => DemographicMismatch,
        "ABDM-1027" => "ABDM has blocked linking-token requests for this ABHA address for 24 hours (too many requests). The patient can still be registered; link records tomorrow.",
        null => "ABDM refused the linking request. The patient can still be registered; try linking again later.",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"ABDM refused the linking request (error {errorCode}). The patient can still be registered; try linking again later."),
    };

    /// <summary>The acknowledgement to the patient's phone in words.</summary>
    public static string Acknowledgement(QueueEntry entry) => entry.Status == QueueEntryStatus.Rejected
        ? "The patient's phone was told the share was refused."
        : entry.Acknowledgement switch
        {
            AcknowledgementState.Pending => "Answering the patient's phone…",
            AcknowledgementState.Delivered => "The patient's phone shows success.",
            AcknowledgementState.Failed => "ABDM refused the answer to the patient's phone.",
            _ => entry.Acknowledgement.ToString(),
        };

    /// <summary>Short status of the entry at the counter.</summary>
    public static string Status(QueueEntry entry) => entry.Status switch
    {
        QueueEntryStatus.Received => "Checking",
        QueueEntryStatus.Waiting => "Waiting",
        QueueEntryStatus.Claimed => $"Being registered by {entry.ClaimedBy}",
        QueueEntryStatus.Completed => "Registered",
        QueueEntryStatus.Dismissed => "Removed from the queue",
        QueueEntryStatus.Rejected => "Refused",
        _ => entry.Status.ToString(),
    };

    /// <summary>New or returning patient.</summary>
    public static string Match(PatientMatch match) => match.Kind switch
    {
        MatchKind.NotChecked => "Checking the patient list…",
        MatchKind.New => "New patient",
        MatchKind.Exact => $"Returning patient {match.PatientId} (same {MatchedBy(match.MatchedBy)})",
        MatchKind.Candidates => match.Candidates.Count == 1 ? "Possibly a returning patient: 1 candidate" : $"Possibly a returning patient: {match.Candidates.Count} candidates",
        _ => match.Kind.ToString(),
    };

    public static string MatchedBy(string? field) => field switch
    {
        "abhaNumber" => "ABHA number",
        "phrAddress" => "PHR address",
        _ => field ?? "identifier",
    };

    /// <summary>Why a candidate may be the patient: <c>same mobile, name</c>.</summary>
    public static string Reasons(MatchCandidate candidate) =>
        "same " + string.Join(", ", candidate.Reasons.Select(r => r switch
        {
            "mobile" => "mobile",
            "name" => "name",
            "partialName" => "part of the name",
            "yearOfBirth" => "year of birth",
            _ => r,
        }));
}
