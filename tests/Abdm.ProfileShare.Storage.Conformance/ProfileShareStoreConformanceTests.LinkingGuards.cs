using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Xunit;

namespace Abdm.ProfileShare.Storage.Conformance;

// The linking-request guards: ABDM refuses a second token request for a patient at a HIP inside its window (ABDM-1092)
// and blocks an address that keeps asking (ABDM-1027), so the store lets one request through per window and remembers
// blocks, for every instance.
public abstract partial class ProfileShareStoreConformanceTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(7);

    [Fact]
    public async Task TryBeginLinkingRequestAsync_FirstRequest_IsLetThroughAndRecorded()
    {
        var now = Clock.GetUtcNow();
        var request = Guid.NewGuid();

        var guard = await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", request, now, Window);

        Assert.True(guard.Grants(request, now));
        Assert.Equal(request, guard.LastRequestId);
        Assert.Equal(now, guard.LastRequestAt);
        Assert.Null(guard.BlockedUntil);
        Assert.Equal(Hip, guard.HipId);
    }

    [Fact]
    public async Task TryBeginLinkingRequestAsync_AnotherRequestInsideTheWindow_IsHeldWithTheFirstRequestsTime()
    {
        var t0 = Clock.GetUtcNow();
        var first = Guid.NewGuid();
        await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", first, t0, Window);

        var at = t0 + Window - TimeSpan.FromSeconds(1);
        var second = Guid.NewGuid();
        var guard = await Store.TryBeginLinkingRequestAsync(Hip, "PATIENT-1@sbx", second, at, Window);

        Assert.False(guard.Grants(second, at));
        Assert.Equal(first, guard.LastRequestId);
        Assert.Equal(t0, guard.LastRequestAt);
    }

    [Fact]
    public async Task TryBeginLinkingRequestAsync_SameRequestAgain_IsLetThroughUnchanged()
    {
        var t0 = Clock.GetUtcNow();
        var request = Guid.NewGuid();
        await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", request, t0, Window);

        var retry = await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", request, t0 + TimeSpan.FromSeconds(30), Window);

        Assert.True(retry.Grants(request, t0 + TimeSpan.FromSeconds(30)));
        Assert.Equal(t0, retry.LastRequestAt);
    }

    [Fact]
    public async Task TryBeginLinkingRequestAsync_AfterTheWindow_LetsTheNextRequestThrough()
    {
        var t0 = Clock.GetUtcNow();
        await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", Guid.NewGuid(), t0, Window);

        var at = t0 + Window;
        var next = Guid.NewGuid();
        var guard = await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", next, at, Window);

        Assert.True(guard.Grants(next, at));
        Assert.Equal(at, guard.LastRequestAt);
    }

    [Fact]
    public async Task TryBeginLinkingRequestAsync_OtherPatientOrOtherHip_IsIndependent()
    {
        var now = Clock.GetUtcNow();
        await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", Guid.NewGuid(), now, Window);

        var otherPatient = Guid.NewGuid();
        var otherHip = Guid.NewGuid();
        Assert.True((await Store.TryBeginLinkingRequestAsync(Hip, "patient-2@sbx", otherPatient, now, Window)).Grants(otherPatient, now));
        Assert.True((await Store.TryBeginLinkingRequestAsync(OtherHip, "patient-1@sbx", otherHip, now, Window)).Grants(otherHip, now));
    }

    [Fact]
    public async Task TryBeginLinkingRequestAsync_ConcurrentRequests_ExactlyOneIsLetThrough()
    {
        var now = Clock.GetUtcNow();
        var requests = Enumerable.Range(0, 16).Select(_ => Guid.NewGuid()).ToList();

        var guards = await Task.WhenAll(requests.Select(r => Task.Run(() => Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", r, now, Window))));

        var granted = requests.Where((r, i) => guards[i].Grants(r, now)).ToList();
        Assert.Single(granted);
        Assert.All(guards, g => Assert.Equal(granted[0], g.LastRequestId));
    }

    [Fact]
    public async Task BlockLinkingRequestsAsync_HoldsEveryRequestUntilItEnds_EvenTheOneLetThrough()
    {
        var t0 = Clock.GetUtcNow();
        var request = Guid.NewGuid();
        await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", request, t0, Window);
        var until = t0 + TimeSpan.FromHours(24);

        await Store.BlockLinkingRequestsAsync(Hip, "Patient-1@sbx", "ABDM-1027", until);

        var retry = await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", request, t0 + TimeSpan.FromMinutes(1), Window);
        Assert.False(retry.Grants(request, t0 + TimeSpan.FromMinutes(1)));
        Assert.True(retry.IsBlocked(t0 + TimeSpan.FromMinutes(1)));
        Assert.Equal(until, retry.BlockedUntil);
        Assert.Equal("ABDM-1027", retry.BlockCode);

        var later = Guid.NewGuid();
        var inside = await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", later, until - TimeSpan.FromSeconds(1), Window);
        Assert.False(inside.Grants(later, until - TimeSpan.FromSeconds(1)));

        var after = await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", later, until, Window);
        Assert.True(after.Grants(later, until));
    }

    [Fact]
    public async Task BlockLinkingRequestsAsync_ShorterBlock_KeepsTheLaterOne()
    {
        var t0 = Clock.GetUtcNow();
        await Store.BlockLinkingRequestsAsync(Hip, "patient-1@sbx", "ABDM-1027", t0 + TimeSpan.FromHours(24));
        await Store.BlockLinkingRequestsAsync(Hip, "patient-1@sbx", "ABDM-9000", t0 + TimeSpan.FromHours(1));

        var guard = await Store.TryBeginLinkingRequestAsync(Hip, "patient-1@sbx", Guid.NewGuid(), t0 + TimeSpan.FromHours(2), Window);

        Assert.Equal(t0 + TimeSpan.FromHours(24), guard.BlockedUntil);
        Assert.Equal("ABDM-1027", guard.BlockCode);
    }

    [Fact]
    public async Task PurgeAsync_KeepsABlockThatHoldsAndARequestInsideTheWindow_ForgetsTheRest()
    {
        var t0 = Clock.GetUtcNow();
        await Store.TryBeginLinkingRequestAsync(Hip, "recent@sbx", Guid.NewGuid(), t0, Window);
        await Store.TryBeginLinkingRequestAsync(Hip, "stale@sbx", Guid.NewGuid(), t0 - TimeSpan.FromDays(3), Window);
        await Store.BlockLinkingRequestsAsync(Hip, "blocked@sbx", "ABDM-1027", t0 + TimeSpan.FromHours(20));
        await Store.BlockLinkingRequestsAsync(Hip, "was-blocked@sbx", "ABDM-1027", t0 - TimeSpan.FromHours(1));

        await Store.PurgeAsync(t0 - TimeSpan.FromDays(1), t0);

        var probe = t0 + TimeSpan.FromMinutes(1);
        var recent = Guid.NewGuid();
        Assert.False((await Store.TryBeginLinkingRequestAsync(Hip, "recent@sbx", recent, probe, Window)).Grants(recent, probe));
        Assert.True((await Store.TryBeginLinkingRequestAsync(Hip, "blocked@sbx", Guid.NewGuid(), probe, Window)).IsBlocked(probe));
        var stale = await Store.TryBeginLinkingRequestAsync(Hip, "stale@sbx", Guid.NewGuid(), probe, Window);
        Assert.Equal(probe, stale.LastRequestAt);
        var unblocked = await Store.TryBeginLinkingRequestAsync(Hip, "was-blocked@sbx", Guid.NewGuid(), probe, Window);
        Assert.False(unblocked.IsBlocked(probe));
    }
}
