using System.Text.Json;
using Xunit;

namespace Abdm.ProfileShare.Tests;

public sealed class CounterQrPayloadTests
{
    private static readonly Uri Sandbox = new("https://phrsbx.abdm.gov.in/share-profile");

    [Fact]
    public void ToJson_Counter_IsTheSeedsShapeWithHipIdFirst()
    {
        var payload = CounterQrPayload.Create("IN0000000001", "OPD1");

        Assert.Equal("""{"hipId":"IN0000000001","code":"OPD1"}""", payload.ToJson());
        using var parsed = JsonDocument.Parse(payload.ToJson());
        Assert.Equal("OPD1", parsed.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public void ToUrl_SandboxHost_IsAbdmsShareProfileUrl()
    {
        var url = CounterQrPayload.Create("IN0000000001", "12345").ToUrl(Sandbox);

        Assert.Equal("https://phrsbx.abdm.gov.in/share-profile?hip-id=IN0000000001&counter-id=12345", url.AbsoluteUri);
    }

    [Fact]
    public void ToUrl_HipIdWithReservedCharacters_IsEscaped()
    {
        var url = CounterQrPayload.Create("HIP&1=x", "A1").ToUrl(new Uri("https://phr.example.test/share-profile/"));

        Assert.Equal("https://phr.example.test/share-profile/?hip-id=HIP%261%3Dx&counter-id=A1", url.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://phrsbx.abdm.gov.in/share-profile")]
    [InlineData("https://phrsbx.abdm.gov.in/share-profile?x=1")]
    public void ToUrl_NotHttpsOrWithQuery_Throws(string shareProfileUrl)
    {
        var payload = CounterQrPayload.Create("HIP-1", "OPD1");

        var error = Assert.Throws<ArgumentException>(() => payload.ToUrl(new Uri(shareProfileUrl)));
        Assert.Contains("https URL without a query", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("OPD1")]
    [InlineData("abcdefghij0123456789")]
    public void WhyInvalidCounterId_OneToTwentyAlphanumerics_IsNull(string counterId) =>
        Assert.Null(CounterQrPayload.WhyInvalidCounterId(counterId, "HIP-1"));

    [Theory]
    [InlineData("", "required")]
    [InlineData("abcdefghij0123456789X", "longer than 20")]
    [InlineData("OPD-1", "only the letters")]
    [InlineData("OPD 1", "only the letters")]
    [InlineData("कक्ष1", "only the letters")]
    [InlineData("hip1", "must not be the facility's HIP id")]
    public void Create_CounterIdBreaksTheRule_ThrowsNamingTheRule(string counterId, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => CounterQrPayload.Create("HIP1", counterId));

        Assert.Equal("counterId", error.ParamName);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HIP 1")]
    public void Create_BadHipId_Throws(string hipId) =>
        Assert.Equal("hipId", Assert.Throws<ArgumentException>(() => CounterQrPayload.Create(hipId, "OPD1")).ParamName);
}
