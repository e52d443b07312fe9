namespace Abdm.ProfileShare.Gateway;

/// <summary>
/// A key of the gateway's signing key set (its JWKS, <see cref="IAbdmGatewayClient.GetCertsAsync"/>) as published: the
/// JSON Web Key members (RFC 7517) the gateway sends, base64url text left as it is.
/// </summary>
public sealed record GatewaySigningKey
{
    /// <summary>The key id (<c>kid</c>): a callback token names its signing key by it.</summary>
    public string? KeyId { get; init; }

    /// <summary>The key type (<c>kty</c>), <c>RSA</c> for the gateway's signing keys.</summary>
    public string? KeyType { get; init; }

    /// <summary>The intended use (<c>use</c>): <c>sig</c> for a signing key, or none.</summary>
    public string? Use { get; init; }

    /// <summary>The algorithm (<c>alg</c>), for example <c>RS256</c>, or none.</summary>
    public string? Algorithm { get; init; }

    /// <summary>An RSA key's modulus (<c>n</c>), base64url.</summary>
    public string? Modulus { get; init; }

    /// <summary>An RSA key's exponent (<c>e</c>), base64url.</summary>
    public string? Exponent { get; init; }

    /// <summary>The X.509 certificate chain (<c>x5c</c>), base64 DER certificates; empty when not sent.</summary>
    public IReadOnlyList<string> X509CertificateChain { get; init; } = [];

    /// <summary>The X.509 certificate's SHA-1 thumbprint (<c>x5t</c>), base64url.</summary>
    public string? X509Thumbprint { get; init; }

    /// <summary>The X.509 certificate's SHA-256 thumbprint (<c>x5t#S256</c>), base64url.</summary>
    public string? X509ThumbprintSha256 { get; init; }
}
