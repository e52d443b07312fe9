using Abdm.ProfileShare.Tests.TestSupport;
using Abdm.ProfileShare.Workflow.Internal;

namespace Abdm.ProfileShare.Tests.Workflow;

public sealed class LinkingTokenExpiryTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 28, 4, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Read_V05LikeTokenExpiringIn24Hours_ReturnsItsExp()
    {
        var exp = ReceivedAt + TimeSpan.FromHours(24) - TimeSpan.FromSeconds(17);

        var expiresAt = LinkingTokenExpiry.Read(TestJwt.Expiring(exp), ReceivedAt);

        Assert.Equal(exp, expiresAt);
    }

    [Fact]
    public void Read_V3LikeTokenExpiringIn182Point5Days_ReturnsItsExp()
    {
        var exp = ReceivedAt + TimeSpan.FromDays(182.5);

        var expiresAt = LinkingTokenExpiry.Read(TestJwt.Expiring(exp), ReceivedAt);

        Assert.Equal(exp, expiresAt);
        Assert.Equal(TimeSpan.Zero, expiresAt.Offset);
    }

    [Fact]
    public void Read_FractionalExp_KeepsTheFraction()
    {
        var expiresAt = LinkingTokenExpiry.Read(TestJwt.WithPayload("""{"exp":1800000000.5}"""), ReceivedAt);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1800000000).AddMilliseconds(500), expiresAt);
    }

    public static TheoryData<string> TokensWithoutReadableExp =>
    [
        "linking-token-opaque-1",
        "only.two",
        "a.b.c.d.e",
        "header.!!!not-base64url!!!.signature",
        TestJwt.WithPayload("""{"sub":"synthetic"}"""),
        TestJwt.WithPayload("""{"exp":"1800000000"}"""),
        TestJwt.WithPayload("""{"exp":-5}"""),
        TestJwt.WithPayload("""{"exp":1e300}"""),
        TestJwt.WithPayload("""[1800000000]"""),
        TestJwt.WithPayload("not json"),
        "header..signature",
    ];

    [Theory]
    [MemberData(nameof(TokensWithoutReadableExp))]
    public void Read_NoReadableExp_ReturnsReceivedAtPlus24Hours(string token)
    {
        var expiresAt = LinkingTokenExpiry.Read(token, ReceivedAt);

        Assert.Equal(ReceivedAt + TimeSpan.FromHours(24), expiresAt);
    }
}
