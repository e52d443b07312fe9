using Abdm.ProfileShare.Workflow;
using Abdm.ProfileShare.Workflow.Internal;

namespace Abdm.ProfileShare.Tests.Workflow;

/// <summary>The bounded, in-memory record of intent-share outcomes by REQUEST-ID (<see cref="ShareIntentDeduplicator"/>).</summary>
public sealed class ShareIntentDeduplicatorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RunAsync_ARepeatWhileTheFirstRuns_WaitsForItsOutcomeWithoutRunningAgain()
    {
        var dedupe = new ShareIntentDeduplicator();
        var id = Guid.NewGuid();
        var release = new TaskCompletionSource<ShareIntentOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;

        var first = dedupe.RunAsync(id, () => { Interlocked.Increment(ref runs); return release.Task; });
        var repeat = dedupe.RunAsync(id, () => { Interlocked.Increment(ref runs); return Task.FromResult(ShareIntentOutcome.Accept); });
        Assert.False(repeat.IsCompleted);
        var refused = ShareIntentOutcome.Refuse("ABDM-1149", "No.");
        release.SetResult(refused);

        Assert.Equal((refused, false), await first.WaitAsync(Timeout));
        Assert.Equal((refused, true), await repeat.WaitAsync(Timeout));
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task RunAsync_OverCapacity_ForgetsTheOldestOnly()
    {
        var dedupe = new ShareIntentDeduplicator(capacity: 2);
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        foreach (var id in new[] { a, b, c })
        {
            await dedupe.RunAsync(id, () => Task.FromResult(ShareIntentOutcome.Accept));
        }

        Assert.Equal(2, dedupe.Count);
        Assert.True((await dedupe.RunAsync(c, () => Task.FromResult(ShareIntentOutcome.Accept))).Repeat);
        Assert.True((await dedupe.RunAsync(b, () => Task.FromResult(ShareIntentOutcome.Accept))).Repeat);
        Assert.False((await dedupe.RunAsync(a, () => Task.FromResult(ShareIntentOutcome.Accept))).Repeat);
    }

    [Fact]
    public async Task RunAsync_AFailureAndItsWaitingRepeat_BothThrowAndTheNextRunIsNew()
    {
        var dedupe = new ShareIntentDeduplicator();
        var id = Guid.NewGuid();
        var release = new TaskCompletionSource<ShareIntentOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = dedupe.RunAsync(id, () => release.Task);
        var repeat = dedupe.RunAsync(id, () => Task.FromResult(ShareIntentOutcome.Accept));
        release.SetException(new TimeoutException("HIS"));

        await Assert.ThrowsAsync<TimeoutException>(() => first.WaitAsync(Timeout));
        await Assert.ThrowsAsync<TimeoutException>(() => repeat.WaitAsync(Timeout));
        Assert.Equal(0, dedupe.Count);
        Assert.Equal((ShareIntentOutcome.Accept, false), await dedupe.RunAsync(id, () => Task.FromResult(ShareIntentOutcome.Accept)).WaitAsync(Timeout));
    }

    [Fact]
    public async Task RunAsync_TheHandlerReturnsNull_ThrowsAndRemembersNothing()
    {
        var dedupe = new ShareIntentDeduplicator();

        await Assert.ThrowsAsync<InvalidOperationException>(() => dedupe.RunAsync(Guid.NewGuid(), () => Task.FromResult<ShareIntentOutcome>(null!)));

        Assert.Equal(0, dedupe.Count);
    }
}
