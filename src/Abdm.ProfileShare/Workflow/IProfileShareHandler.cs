using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// Lets the host accept or reject a share before the patient's phone is answered (for example: the counter is
/// closed, or the department does not register walk-ins). Called off the request path, once per scan.
/// </summary>
/// <remarks>The default accepts every share. Register yours with <c>builder.AddProfileShareHandler&lt;T&gt;()</c>.</remarks>
public interface IProfileShareHandler
{
    /// <summary>Decides on a share.</summary>
    /// <param name="entry">The queue entry the share created or refreshed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Accept, or reject with a message the patient can read on their phone.</returns>
    ValueTask<ShareDecision> OnShareReceivedAsync(QueueEntry entry, CancellationToken cancellationToken);
}

/// <summary>The host's decision on a share.</summary>
public sealed record ShareDecision
{
    private ShareDecision(bool accepted, string? message)
    {
        Accepted = accepted;
        PatientMessage = message;
    }

    /// <summary>Accept: the entry waits at the counter and the phone shows SUCCESS (with the token number in v1.0).</summary>
    public static ShareDecision Accept { get; } = new(true, null);

    /// <summary>Whether the share was accepted.</summary>
    public bool Accepted { get; }

    /// <summary>For a rejection: the message the patient's phone shows.</summary>
    public string? PatientMessage { get; }

    /// <summary>Reject: the phone shows FAILURE with <paramref name="patientMessage"/>, and the entry leaves the queue.</summary>
    /// <param name="patientMessage">A short message in words the patient understands (no internal details).</param>
    /// <returns>The decision.</returns>
    public static ShareDecision Reject(string patientMessage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patientMessage);
        return new ShareDecision(false, patientMessage);
    }
}
