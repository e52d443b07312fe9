namespace Abdm.ProfileShare.Model;

/// <summary>Where a queue entry is in its life at the counter.</summary>
public enum QueueEntryStatus
{
    /// <summary>Accepted from the gateway (202 sent); the host has not yet decided on it.</summary>
    Received,

    /// <summary>Accepted by the host and waiting at the counter.</summary>
    Waiting,

    /// <summary>An operator has picked it and is registering the patient.</summary>
    Claimed,

    /// <summary>The patient was registered; the entry has left the queue.</summary>
    Completed,

    /// <summary>An operator removed it from the queue without registering.</summary>
    Dismissed,

    /// <summary>The host rejected the share; the patient's phone was told why.</summary>
    Rejected,
}
