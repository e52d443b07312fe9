using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>Accepts every share.</summary>
internal sealed class AcceptAllProfileShareHandler : IProfileShareHandler
{
    public ValueTask<ShareDecision> OnShareReceivedAsync(QueueEntry entry, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ShareDecision.Accept);
}

/// <summary>Knows no patients: every scan is a new patient until the host plugs in its directory.</summary>
internal sealed class EmptyPatientDirectory : IPatientDirectory
{
    public ValueTask<IReadOnlyList<DirectoryPatient>> FindAsync(PatientLookup lookup, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<DirectoryPatient>>([]);
}

/// <summary>Does nothing: the token is stored and readable through <see cref="ICounterQueue.GetLinkingTokenAsync"/>.</summary>
internal sealed class NoOpLinkingTokenHandler : ILinkingTokenHandler
{
    public ValueTask OnLinkingTokenReceivedAsync(QueueEntry entry, LinkingTokenRecord token, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnLinkingFailedAsync(QueueEntry entry, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
