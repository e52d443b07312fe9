using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Abdm.ProfileShare.AspNetCore.Security.Internal;

/// <summary>
/// Remembers tokens that passed validation until their expiry, with the <c>kid</c> of the key that verified them,
/// so a token the gateway reuses across many callbacks is verified once, and a key that leaves the gateway's JWKS
/// takes its tokens' cached trust with it (<see cref="RemoveKeysNotIn"/>). Bounded: at most <see cref="Capacity"/> entries; when full, expired entries are
/// dropped and, if still full, new tokens are simply not cached (they are validated in full each time).
/// </summary>
/// <remarks>
/// Tokens are keyed by a SHA-256 digest (first 128 bits) of the exact token text, so the cache holds no token
/// content and a token that differs in any character is validated from scratch.
/// </remarks>
internal sealed class ValidatedTokenCache(int capacity)
{
    private readonly ConcurrentDictionary<UInt128, Entry> _entries = new();

    /// <summary>The most entries kept.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Entries held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Whether <paramref name="token"/> was validated and has not expired at <paramref name="now"/>.</summary>
    /// <param name="token">The token text.</param>
    /// <param name="now">The current time.</param>
    /// <param name="keyId">The <c>kid</c> of the key that verified it, when found.</param>
    public bool Contains(ReadOnlySpan<char> token, DateTimeOffset now, out string keyId)
    {
        var key = Digest(token);
        if (_entries.TryGetValue(key, out var entry))
        {
            if (now < entry.Expires)
            {
                keyId = entry.KeyId;
                return true;
            }

            _entries.TryRemove(key, out _);
        }

        keyId = "";
        return false;
    }

    /// <summary>Forgets <paramref name="token"/>.</summary>
    public void Remove(ReadOnlySpan<char> token) => _entries.TryRemove(Digest(token), out _);

    /// <summary>Remembers a token verified by key <paramref name="keyId"/> until <paramref name="expires"/>.</summary>
    public void Add(ReadOnlySpan<char> token, string keyId, DateTimeOffset expires, DateTimeOffset now)
    {
        if (expires <= now)
        {
            return;
        }

        if (_entries.Count >= Capacity)
        {
            foreach (var entry in _entries)
            {
                if (entry.Value.Expires <= now)
                {
                    _entries.TryRemove(entry.Key, out _);
                }
            }

            if (_entries.Count >= Capacity)
            {
                return;
            }
        }

        _entries[Digest(token)] = new Entry(expires, keyId);
    }

    /// <summary>Forgets every token verified by a key whose <c>kid</c> is not in <paramref name="keyIds"/> (a refreshed JWKS).</summary>
    /// <returns>How many tokens were forgotten.</returns>
    public int RemoveKeysNotIn(IReadOnlySet<string> keyIds)
    {
        var removed = 0;
        foreach (var entry in _entries)
        {
            if (!keyIds.Contains(entry.Value.KeyId) && _entries.TryRemove(entry.Key, out _))
            {
                removed++;
            }
        }

        return removed;
    }

    private static UInt128 Digest(ReadOnlySpan<char> token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(token), hash);
        return MemoryMarshal.Read<UInt128>(hash);
    }

    private readonly record struct Entry(DateTimeOffset Expires, string KeyId);
}
