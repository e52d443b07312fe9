using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage.Conformance;

/// <summary>Input that looks the same but is not: PHR addresses that differ only outside ASCII, and reused requestIds.</summary>
public abstract partial class ProfileShareStoreConformanceTests
{
    /// <summary>kiran@sbx with a dotless ı (U+0131).</summary>
    protected const string DotlessKiran = "k\u0131ran@sbx";

    [Fact]
    public async Task AcceptShareAsync_SameRequestIdSameContentHash_DuplicateWithoutConflict()
    {
        var intake = NewIntake() with { ContentHash = "hash-a" };
        var created = await CreateEntryAsync(intake);

        var result = await Store.AcceptShareAsync(intake with { NewEntryId = Guid.NewGuid(), AcknowledgementItemId = Guid.NewGuid() });

        Assert.Equal(ShareIntakeOutcome.Duplicate, result.Outcome);
        Assert.False(result.ContentConflict);
        Assert.Equal(created.Id, result.Entry.Id);
        Assert.Single(await LeaseAllAsync());
    }

    [Fact]
    public async Task AcceptShareAsync_SameRequestIdDifferentContentHash_DuplicateWithConflictEntryUnchanged()
    {
        var intake = NewIntake() with { ContentHash = "hash-a" };
        var created = await CreateEntryAsync(intake);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var other = intake with
        {
            Profile = intake.Profile with { Name = "Someone Else Entirely" },
            ContentHash = "hash-b",
            ReceivedAt = Clock.GetUtcNow(),
            NewEntryId = Guid.NewGuid(),
            AcknowledgementItemId = Guid.NewGuid(),
            AcknowledgementRequestId = Guid.NewGuid(),
        };

        var result = await Store.AcceptShareAsync(other);

        Assert.Equal(ShareIntakeOutcome.Duplicate, result.Outcome);
        Assert.True(result.ContentConflict);
        AssertSameEntry(created, result.Entry);
        AssertSameEntry(created, await Store.GetEntryAsync(created.Id));
        Assert.Equal("Test Patient One", (await GetRequiredEntryAsync(created.Id)).Profile.Name);
        Assert.Null(await Store.GetEntryAsync(other.NewEntryId));
        Assert.Equal(intake.AcknowledgementItemId, Assert.Single(await LeaseAllAsync()).Id);
    }

    [Fact]
    public async Task AcceptShareAsync_StoredWithoutContentHash_DuplicateNeverConflict()
    {
        // A dedupe record written by an earlier version (or an intake without a hash) has no hash to compare with.
        var intake = NewIntake() with { ContentHash = null };
        await CreateEntryAsync(intake);

        var withHash = await Store.AcceptShareAsync(intake with { ContentHash = "hash-b", NewEntryId = Guid.NewGuid() });
        var withoutHash = await Store.AcceptShareAsync(intake with { NewEntryId = Guid.NewGuid() });

        Assert.Equal(ShareIntakeOutcome.Duplicate, withHash.Outcome);
        Assert.False(withHash.ContentConflict);
        Assert.Equal(ShareIntakeOutcome.Duplicate, withoutHash.Outcome);
        Assert.False(withoutHash.ContentConflict);
    }

    [Fact]
    public async Task AcceptShareAsync_RetryOfFirstShareAfterRescan_ComparesWithItsOwnContentHash()
    {
        var first = NewIntake() with { ContentHash = "hash-first" };
        var created = await CreateEntryAsync(first);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var rescan = NewIntake() with { ContentHash = "hash-rescan" };
        Assert.Equal(ShareIntakeOutcome.Rescanned, (await Store.AcceptShareAsync(rescan)).Outcome);

        var sameAsFirst = await Store.AcceptShareAsync(first with { NewEntryId = Guid.NewGuid(), AcknowledgementItemId = Guid.NewGuid() });
        var firstWithRescanBody = await Store.AcceptShareAsync(first with { ContentHash = "hash-rescan", NewEntryId = Guid.NewGuid() });
        var rescanRetry = await Store.AcceptShareAsync(rescan with { NewEntryId = Guid.NewGuid() });

        Assert.Equal(ShareIntakeOutcome.Duplicate, sameAsFirst.Outcome);
        Assert.False(sameAsFirst.ContentConflict);
        Assert.True(firstWithRescanBody.ContentConflict);
        Assert.False(rescanRetry.ContentConflict);
        Assert.All([sameAsFirst, firstWithRescanBody, rescanRetry], r => Assert.Equal(created.Id, r.Entry.Id));
    }

    /// <summary>
    /// PHR addresses that look like an ASCII one: the dotless ı (U+0131, which culture-aware casing such as tr-TR maps
    /// to I) and the long ſ (U+017F, which <see cref="string.ToUpperInvariant()"/> maps to S).
    /// </summary>
    public static TheoryData<string, string> Lookalikes() => new()
    {
        { "kiran@sbx", DotlessKiran },
        { "sam@sbx", "\u017Fam@sbx" },
    };

    [Theory]
    [MemberData(nameof(Lookalikes))]
    public async Task AcceptShareAsync_LookalikeAddressAfterAsciiAddress_NewTokenNotRescan(string ascii, string lookalike)
    {
        var original = await CreateEntryAsync(NewIntake(ascii));
        Clock.Advance(TimeSpan.FromMinutes(1));

        var other = await Store.AcceptShareAsync(NewIntake(lookalike));
        var upper = await Store.AcceptShareAsync(NewIntake(ascii.ToUpperInvariant()));

        Assert.Equal(ShareIntakeOutcome.Created, other.Outcome);
        Assert.NotEqual(original.Id, other.Entry.Id);
        Assert.Equal(2, other.Entry.TokenNumber);
        Assert.Equal(lookalike, (await GetRequiredEntryAsync(other.Entry.Id)).Profile.HealthId);
        Assert.Equal(ShareIntakeOutcome.Rescanned, upper.Outcome);
        Assert.Equal(original.Id, upper.Entry.Id);
        Assert.Equal(2, (await GetRequiredEntryAsync(original.Id)).ScanCount);
    }

    [Theory]
    [MemberData(nameof(Lookalikes))]
    public async Task AcceptShareAsync_AsciiAddressAfterLookalikeAddress_NewTokenNotRescan(string ascii, string lookalike)
    {
        var original = await CreateEntryAsync(NewIntake(lookalike));
        Clock.Advance(TimeSpan.FromMinutes(1));

        var other = await Store.AcceptShareAsync(NewIntake(ascii.ToUpperInvariant()));

        Assert.Equal(ShareIntakeOutcome.Created, other.Outcome);
        Assert.NotEqual(original.Id, other.Entry.Id);
        Assert.Equal(1, (await GetRequiredEntryAsync(original.Id)).ScanCount);
    }

    [Theory]
    [MemberData(nameof(Lookalikes))]
    public async Task GetLinkingTokenAsync_LookalikeAddress_DoesNotFindAsciiAddressToken(string ascii, string lookalike)
    {
        var created = await CreateEntryAsync(NewIntake(ascii));
        var token = new LinkingTokenRecord { HipId = Hip, HealthId = ascii, Token = "linking-token-ascii", EntryId = created.Id, ReceivedAt = Clock.GetUtcNow() };
        await UpdateAsync(new EntryUpdate { Entry = created, LinkingToken = token });

        Assert.Null(await Store.GetLinkingTokenAsync(Hip, lookalike));
        Assert.False(await Store.MarkLinkingTokenUsedAsync(Hip, lookalike, Clock.GetUtcNow()));
        Assert.Equal(token, await Store.GetLinkingTokenAsync(Hip, ascii.ToUpperInvariant()));
        Assert.Null((await Store.GetLinkingTokenAsync(Hip, ascii))!.UsedAt);
    }

    [Theory]
    [MemberData(nameof(Lookalikes))]
    public async Task GetLinkingTokenAsync_AsciiAddress_DoesNotFindLookalikeAddressToken(string ascii, string lookalike)
    {
        var created = await CreateEntryAsync(NewIntake(lookalike));
        var token = new LinkingTokenRecord { HipId = Hip, HealthId = lookalike, Token = "linking-token-lookalike", EntryId = created.Id, ReceivedAt = Clock.GetUtcNow() };
        await UpdateAsync(new EntryUpdate { Entry = created, LinkingToken = token });

        Assert.Null(await Store.GetLinkingTokenAsync(Hip, ascii));
        Assert.Null(await Store.GetLinkingTokenAsync(Hip, ascii.ToUpperInvariant()));
        Assert.False(await Store.MarkLinkingTokenUsedAsync(Hip, ascii, Clock.GetUtcNow()));
        Assert.Equal(token, await Store.GetLinkingTokenAsync(Hip, lookalike));
        Assert.Equal(token, await Store.GetLinkingTokenAsync(Hip, PhrAddress.Fold(lookalike)));
    }
}
