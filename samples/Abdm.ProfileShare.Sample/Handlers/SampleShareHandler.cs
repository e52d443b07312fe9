using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Workflow;

namespace Abdm.ProfileShare.Sample.Handlers;

/// <summary>
/// Accepts a share only at a counter this HIS knows (<c>Sample:Facilities</c>); otherwise the patient's phone is told,
/// in words, where to go. A real HIS could also refuse when a counter is closed.
/// </summary>
internal sealed class SampleShareHandler(Facilities facilities, ILogger<SampleShareHandler> logger) : IProfileShareHandler
{
    public ValueTask<ShareDecision> OnShareReceivedAsync(QueueEntry entry, CancellationToken cancellationToken)
    {
        if (facilities.TryFind(entry.HipId, entry.CounterCode, out _, out _))
        {
            return ValueTask.FromResult(ShareDecision.Accept);
        }

        SampleLog.UnknownCounter(logger, entry.Id);
        return ValueTask.FromResult(ShareDecision.Reject("This QR code is not in use. Please scan the QR code at the registration counter."));
    }
}
