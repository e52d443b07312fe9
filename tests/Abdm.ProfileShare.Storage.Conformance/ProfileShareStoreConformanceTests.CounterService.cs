using Abdm.ProfileShare.Storage;
using Xunit;

namespace Abdm.ProfileShare.Storage.Conformance;

// A counter's service per day: the running token (the latest call wins) and the served count and time, per HIP,
// counter and day, atomically across instances.
public abstract partial class ProfileShareStoreConformanceTests
{
    private CounterServiceEvent Called(int token, DateTimeOffset at, string counter = "C1", DateOnly? day = null) => new()
    {
        HipId = Hip,
        CounterCode = counter,
        ServiceDay = day ?? ServiceDayOf(Clock.GetUtcNow()),
        At = at,
        CalledTokenNumber = token,
    };

    private CounterServiceEvent Served(TimeSpan time, DateTimeOffset at, string counter = "C1") => new()
    {
        HipId = Hip,
        CounterCode = counter,
        ServiceDay = ServiceDayOf(Clock.GetUtcNow()),
        At = at,
        ServiceTime = time,
    };

    [Fact]
    public async Task GetCounterServiceDayAsync_NothingRecorded_ReturnsNull() =>
        Assert.Null(await Store.GetCounterServiceDayAsync(Hip, "C1", ServiceDayOf(Clock.GetUtcNow())));

    [Fact]
    public async Task RecordCounterServiceAsync_CallsAndServices_RunningTokenIsTheLatestCallAndTimesAddUp()
    {
        var t0 = Clock.GetUtcNow();
        await Store.RecordCounterServiceAsync(Called(1, t0));
        await Store.RecordCounterServiceAsync(Called(3, t0 + TimeSpan.FromMinutes(10)));
        await Store.RecordCounterServiceAsync(Called(2, t0 + TimeSpan.FromMinutes(5))); // an older call arriving late
        await Store.RecordCounterServiceAsync(Served(TimeSpan.FromMinutes(4), t0 + TimeSpan.FromMinutes(4)));
        await Store.RecordCounterServiceAsync(Served(TimeSpan.FromMinutes(6), t0 + TimeSpan.FromMinutes(11)));

        var day = await Store.GetCounterServiceDayAsync(Hip, "C1", ServiceDayOf(t0));

        Assert.NotNull(day);
        Assert.Equal(3, day.RunningTokenNumber);
        Assert.Equal(t0 + TimeSpan.FromMinutes(10), day.CalledAt);
        Assert.Equal(2, day.ServedCount);
        Assert.Equal(TimeSpan.FromMinutes(10), day.TotalServiceTime);
    }

    [Fact]
    public async Task RecordCounterServiceAsync_OtherCounterOrDay_IsIndependent()
    {
        var t0 = Clock.GetUtcNow();
        await Store.RecordCounterServiceAsync(Called(5, t0));
        await Store.RecordCounterServiceAsync(Called(9, t0, counter: "C2"));
        await Store.RecordCounterServiceAsync(Called(7, t0, day: ServiceDayOf(t0).AddDays(-1)));

        Assert.Equal(5, (await Store.GetCounterServiceDayAsync(Hip, "C1", ServiceDayOf(t0)))!.RunningTokenNumber);
        Assert.Equal(9, (await Store.GetCounterServiceDayAsync(Hip, "C2", ServiceDayOf(t0)))!.RunningTokenNumber);
        Assert.Equal(7, (await Store.GetCounterServiceDayAsync(Hip, "C1", ServiceDayOf(t0).AddDays(-1)))!.RunningTokenNumber);
        Assert.Null(await Store.GetCounterServiceDayAsync(OtherHip, "C1", ServiceDayOf(t0)));
    }

    [Fact]
    public async Task RecordCounterServiceAsync_ConcurrentServices_AllCounted()
    {
        var t0 = Clock.GetUtcNow();
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() => Store.RecordCounterServiceAsync(Served(TimeSpan.FromSeconds(i), t0)))));

        var day = await Store.GetCounterServiceDayAsync(Hip, "C1", ServiceDayOf(t0));

        Assert.Equal(20, day!.ServedCount);
        Assert.Equal(TimeSpan.FromSeconds(210), day.TotalServiceTime);
        Assert.Null(day.RunningTokenNumber);
    }
}
