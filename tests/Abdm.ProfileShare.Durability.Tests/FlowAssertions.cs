using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.TestHost;
using Abdm.ProfileShare.Testing;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>The end state every durability test demands, checked against the host's queue and the simulator's journal.</summary>
internal static class FlowAssertions
{
    /// <summary>Every share is in the queue exactly once (no duplicate entry, no re-scan, nothing missing or extra).</summary>
    public static void EachShareQueuedOnce(IReadOnlyList<EntrySnapshot> entries, IReadOnlyCollection<SimulatedShare> shares)
    {
        var expected = shares.Select(s => s.RequestId).ToHashSet();
        Assert.Equal(expected.Count, shares.Count);
        var duplicates = entries.GroupBy(e => e.ShareRequestId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} shares have more than one queue entry.");
        Assert.Equal(entries.Count, entries.Select(e => e.Id).Distinct().Count());
        var missing = expected.Except(entries.Select(e => e.ShareRequestId)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {expected.Count} shares are not in the queue.");
        var extra = entries.Where(e => !expected.Contains(e.ShareRequestId)).ToList();
        Assert.True(extra.Count == 0, $"{extra.Count} queue entries belong to no share.");
        Assert.All(entries, e => Assert.Equal(1, e.ScanCount));
    }

    /// <summary>Token numbers per counter (and service day) are 1..N: no gap, no duplicate.</summary>
    public static void TokensGapless(IReadOnlyList<EntrySnapshot> entries, IReadOnlyCollection<string> counters)
    {
        Assert.Equal(counters.Order(), entries.Select(e => e.Counter).Distinct().Order());
        foreach (var counter in entries.GroupBy(e => (e.Counter, e.ServiceDay)))
        {
            var tokens = counter.Select(e => e.Token).Order().ToList();
            Assert.Equal(Enumerable.Range(1, tokens.Count), tokens);
        }
    }

    /// <summary>
    /// Each share got at least one accepted on-share, and all of them carry one requestId (at-least-once delivery
    /// with a stable requestId: a crash or a takeover may resend, never with a new id). Returns the resent count.
    /// </summary>
    public static int OneOnSharePerShare(GatewayJournal journal, IReadOnlyCollection<SimulatedShare> shares)
    {
        var accepted = journal.Of(GatewayOperation.OnShare).Where(e => e.IsAccepted).ToLookup(e => e.RespRequestId);
        var resent = 0;
        foreach (var share in shares)
        {
            var onShares = accepted[share.RequestId].ToList();
            Assert.True(onShares.Count >= 1, $"Share {share.RequestId} got no accepted on-share.");
            Assert.True(onShares.Select(e => e.RequestId).Distinct().Count() == 1, $"Share {share.RequestId} was acknowledged with {onShares.Select(e => e.RequestId).Distinct().Count()} different on-share requestIds.");
            resent += onShares.Count - 1;
        }

        return resent;
    }

    /// <summary>What the phone shows: SUCCESS, and for v1.0 the entry's token number.</summary>
    public static void PhonesShowTokens(IReadOnlyList<EntrySnapshot> entries, IReadOnlyCollection<SimulatedShare> shares)
    {
        var byShare = entries.ToDictionary(e => e.ShareRequestId);
        foreach (var share in shares)
        {
            Assert.True(share.Acknowledgement.IsCompletedSuccessfully, $"Share {share.RequestId}: the phone has shown nothing.");
            var phone = share.Acknowledgement.Result;
            Assert.True(phone.IsSuccess, $"Share {share.RequestId}: the phone shows {phone.Status}.");
            if (share.Version == WireVersion.V10)
            {
                Assert.Equal(byShare[share.RequestId].Token.ToString(System.Globalization.CultureInfo.InvariantCulture), phone.TokenNumber);
            }
        }
    }

    /// <summary>
    /// Every chain ended with a linking token: the entry is Linked, its acknowledgement Delivered, and the stored
    /// token is one the simulator issued for that patient in an on-confirm the HIP accepted. The init and the confirm
    /// the gateway accepted each carry one requestId, the one the entry recorded. Returns (inits, confirms) resent.
    /// </summary>
    public static (int Inits, int Confirms) ChainsLinked(IReadOnlyList<EntrySnapshot> entries, IReadOnlyCollection<SimulatedShare> shares, GatewayJournal journal)
    {
        var healthIds = shares.ToDictionary(s => s.RequestId, s => s.HealthId);
        var delivered = journal.Of(GatewayOperation.OnConfirm)
            .Where(e => e.IsDelivered && LinkingToken(e) is not null)
            .ToLookup(e => e.HealthId!, e => Fingerprint(LinkingToken(e)!));
        var inits = journal.Of(GatewayOperation.AuthInit).Where(e => e.IsAccepted).ToLookup(e => e.HealthId);
        var confirms = journal.Of(GatewayOperation.AuthConfirm).Where(e => e.IsAccepted).ToLookup(e => e.HealthId);
        var (resentInits, resentConfirms) = (0, 0);
        foreach (var entry in entries)
        {
            var healthId = healthIds[entry.ShareRequestId];
            Assert.True(entry.Status == "Waiting", $"Entry {entry.Id} is {entry.Status}.");
            Assert.True(entry.Acknowledgement == "Delivered", $"Entry {entry.Id}: acknowledgement {entry.Acknowledgement}.");
            Assert.True(entry.Linking == "Linked", $"Entry {entry.Id}: linking {entry.Linking}.");
            Assert.NotNull(entry.LinkingTokenFingerprint);
            Assert.Equal(entry.Id, entry.LinkingTokenEntryId);
            Assert.Contains(entry.LinkingTokenFingerprint, delivered[healthId]);

            var initIds = inits[healthId].Select(e => e.RequestId).Distinct().ToList();
            Assert.Equal([entry.InitRequestId], initIds);
            var confirmIds = confirms[healthId].Select(e => e.RequestId).Distinct().ToList();
            Assert.Equal([entry.ConfirmRequestId], confirmIds);
            resentInits += inits[healthId].Count() - 1;
            resentConfirms += confirms[healthId].Count() - 1;
        }

        return (resentInits, resentConfirms);
    }

    public static string? LinkingToken(JournalEntry entry) =>
        entry.Body is { ValueKind: JsonValueKind.Object } body
        && body.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Object
        && auth.TryGetProperty("accessToken", out var token) && token.ValueKind == JsonValueKind.String
            ? token.GetString()
            : null;

    /// <summary>The TestHost's fingerprint of a linking token (first 16 hex digits of its SHA-256).</summary>
    public static string Fingerprint(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];
}
