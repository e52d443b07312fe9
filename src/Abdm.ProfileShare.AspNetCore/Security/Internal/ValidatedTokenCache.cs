using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Abdm.ProfileShare.AspNetCore.Security.Internal;

/// <summary>
/// Remembers tokens that passed validation until their expiry, so a token the gateway reuses across many
/// callbacks is verified once. Bounded: at most <see cref="Capacity"/> entries; when full, expired entries are
/// dropped and, if still full, new tokens are simply not cached (they are validated in full each time).
/// </summary>
/// <remarks>
/// Tokens are keyed by a SHA-256 digest (first 128 bits) of the exact token text, so the cache holds no token
/// content and a token that differs in any character is validated from scratch.
/// </remarks>
internal sealed class ValidatedTokenCache(int capacity)
{
    private readonly ConcurrentDictionary<UInt128, DateTimeOffset> _entries = new();

    /// <summary>The most entries kept.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Entries held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Whether <paramref name="token"/> was validated and has not expired at <paramref name="now"/>.</summary>
    public bool Contains(ReadOnlySpan<char> token, DateTimeOffset now)
    {
        var key = Digest(token);
        if (_entries.TryGetValue(key, out var expires))
        {
            if (now < expires)
            {
                return true;
            }

            _entries.TryRemove(key, out _);
        }

        return false;
    }

    /// <summary>Remembers a validated token until <paramref name="expires"/>.</summary>
    public void Add(ReadOnlySpan<char> token, DateTimeOffset expires, DateTimeOffset now)
    {
        if (expires <= now)
        {
            return;
        }

        if (_entries.Count >= Capacity)
        {
            foreach (var entry in _entries)
            {
                if (entry.Value <= now)
                {
                    _entries.TryRemove(entry.Key, out _);
                }
            }

            if (_entries.Count >= Capacity)
            {
                return;
            }
        }

        _entries[Digest(token)] = expires;
    }

    private static UInt128 Digest(ReadOnlySpan<char> token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(token), hash);
        return MemoryMarshal.Read<UInt128>(hash);
    }
}
