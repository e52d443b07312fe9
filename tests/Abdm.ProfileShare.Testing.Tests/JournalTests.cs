namespace Abdm.ProfileShare.Testing.Tests;

public sealed class JournalTests
{
    [Fact]
    public async Task Journal_ReceivedRequest_RecordsHeadersWithoutAuthorizationValue()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync();

        using var response = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share));
        var entry = await bed.Gateway.Journal.WaitForOnShareAsync(share.RequestId, TestBed.Wait);

        Assert.Equal(JournalDirection.Received, entry.Direction);
        Assert.Equal("POST", entry.Method);
        Assert.Equal("/gateway/v0.5/patients/profile/on-share", entry.Path);
        Assert.Equal("[redacted]", entry.Headers["Authorization"]);
        Assert.Equal("sbx", entry.Headers["X-CM-ID"]);
        Assert.Equal(202, entry.StatusCode);
        Assert.Equal(share.RequestId, entry.RespRequestId);
        Assert.Equal("SUCCESS", entry.Body!.Value.GetProperty("acknowledgement").GetProperty("status").GetString());
        Assert.Equal(TestBed.HipId, entry.HipId);
    }

    [Fact]
    public async Task WaitForAsync_AlreadyRecorded_ReturnsAtOnce()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync();

        var entry = await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.Share, TimeSpan.FromMilliseconds(1));

        Assert.Equal(share.RequestId, entry.RequestId);
        Assert.True(entry.IsDelivered);
    }

    [Fact]
    public async Task WaitForAsync_NothingMatches_TimesOutListingEntries()
    {
        await using var bed = await TestBed.StartAsync();
        await bed.ScanAsync();

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => bed.Gateway.Journal.WaitForOnShareAsync(Guid.NewGuid(), TimeSpan.FromMilliseconds(50)));

        Assert.Contains("Sent Share", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_Sequence_IsStrictlyIncreasing()
    {
        await using var bed = await TestBed.StartAsync();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => bed.ScanAsync(i)));

        var sequences = bed.Gateway.Journal.Entries.Select(e => e.Sequence).ToList();

        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.Equal(5, bed.Gateway.Journal.Of(GatewayOperation.Share).Count);
    }
}
