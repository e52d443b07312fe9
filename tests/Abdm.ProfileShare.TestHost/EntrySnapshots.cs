namespace Abdm.ProfileShare.TestHost;

// The JSON contract of /_test/entries, shared with Abdm.ProfileShare.Durability.Tests (linked there as source).

/// <summary>The queue of one HIP as one instance sees it.</summary>
internal sealed record EntriesResponse(string? Instance, IReadOnlyList<EntrySnapshot> Entries);

/// <summary>One queue entry without patient data.</summary>
internal sealed record EntrySnapshot(
    Guid Id,
    string Counter,
    int Token,
    string ServiceDay,
    string Status,
    string Acknowledgement,
    string Linking,
    string WireVersion,
    Guid ShareRequestId,
    int ScanCount,
    Guid? InitRequestId,
    Guid? ConfirmRequestId,
    string? LinkingTokenFingerprint,
    Guid? LinkingTokenEntryId);
