using System.Security.Cryptography;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// The one place linking tokens are encrypted and decrypted: the workflow protects a token before any store sees it,
/// and unprotects it where it hands it to the host (<see cref="ICounterQueue.GetLinkingTokenAsync"/>,
/// <see cref="ILinkingTokenHandler"/>). Every store, including a third-party one, only ever holds ciphertext.
/// </summary>
/// <remarks>
/// <para>A stored value is <c>dp1:</c> followed by the ASP.NET Core Data Protection payload of the token (purpose
/// <see cref="Purpose"/>, the host's key ring) of the HIP id, the folded PHR address and the token, one per line:
/// the ciphertext is bound to its row, so one patient's token copied onto another patient's record is refused. The
/// row's identity is inside the encrypted payload, not in the purpose, because Data Protection logs purposes (at
/// Trace level) and a PHR address must never reach a log. A value without the marker was stored in clear by an earlier version:
/// it is read as it is (and replaced by an encrypted value when the patient's next token is stored).</para>
/// <para>A value that cannot be decrypted (the key ring was lost or is not shared between instances) is logged, never
/// its content, and treated as absent; so is an expired token.</para>
/// </remarks>
internal sealed class LinkingTokenProtector
{
    /// <summary>The Data Protection purpose; a new format gets a new purpose and marker.</summary>
    public const string Purpose = "Abdm.ProfileShare.LinkingToken.v1";

    /// <summary>The marker in front of an encrypted stored value.</summary>
    public const string Marker = "dp1:";

    private readonly IDataProtector _protector;
    private readonly ILogger<LinkingTokenProtector> _logger;

    public LinkingTokenProtector(IDataProtectionProvider provider, ILogger<LinkingTokenProtector> logger)
    {
        _protector = provider.CreateProtector(Purpose);
        _logger = logger;
    }

    /// <summary>A newly received token as it is stored: <see cref="LinkingTokenRecord.ExpiresAt"/> read from the clear
    /// token, then the token encrypted.</summary>
    /// <param name="clear">The record with the clear token.</param>
    /// <returns>The record to store.</returns>
    public LinkingTokenRecord Protect(LinkingTokenRecord clear) => clear with
    {
        ExpiresAt = clear.ExpiresAt ?? LinkingTokenExpiry.Read(clear.Token, clear.ReceivedAt),
        Token = Marker + _protector.Protect(RowOf(clear) + clear.Token),
    };

    /// <summary>A stored record as the host receives it: the clear token, or <see langword="null"/> when there is none,
    /// it cannot be decrypted, or it expired at or before <paramref name="now"/>.</summary>
    /// <param name="stored">The record as the store returned it.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The record with the clear token, or <see langword="null"/>.</returns>
    public LinkingTokenRecord? Unprotect(LinkingTokenRecord? stored, DateTimeOffset now)
    {
        if (stored is null)
        {
            return null;
        }

        var token = stored.Token;
        if (token.StartsWith(Marker, StringComparison.Ordinal))
        {
            try
            {
                var payload = _protector.Unprotect(token[Marker.Length..]);
                var row = RowOf(stored);
                if (!payload.StartsWith(row, StringComparison.Ordinal))
                {
                    throw new CryptographicException("The linking token was encrypted for another HIP or patient.");
                }

                token = payload[row.Length..];
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                Log.LinkingTokenUndecryptable(_logger, stored.EntryId, stored.HipId, ex);
                return null;
            }
        }

        // A record from before ExpiresAt existed gets the rule a new token gets, from its (clear) token.
        var expiresAt = stored.ExpiresAt ?? LinkingTokenExpiry.Read(token, stored.ReceivedAt);
        if (expiresAt <= now)
        {
            Log.LinkingTokenExpired(_logger, stored.EntryId, expiresAt);
            return null;
        }

        return stored with { Token = token, ExpiresAt = expiresAt };
    }

    /// <summary>The row a token belongs to, as the first two lines of its encrypted payload (HIP ids and PHR addresses hold no line break).</summary>
    private static string RowOf(LinkingTokenRecord record) => record.HipId + "\n" + PhrAddress.Fold(record.HealthId) + "\n";
}
