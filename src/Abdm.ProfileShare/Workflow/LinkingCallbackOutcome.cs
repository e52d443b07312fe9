namespace Abdm.ProfileShare.Workflow;

/// <summary>What a linking callback did (<see cref="IProfileShareInbox.ApplyLinkingCallbackAsync"/>).</summary>
public enum LinkingCallbackOutcome
{
    /// <summary>It advanced the linking chain.</summary>
    Applied,

    /// <summary>A duplicate, or an answer for a chain that moved on: nothing changed.</summary>
    Ignored,

    /// <summary>No request this host sent for that HIP has that requestId: logged and ignored.</summary>
    Unmatched,
}
