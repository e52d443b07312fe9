using System.Text.Json;
using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Tests.Wire;

public sealed class AbdmTimestampConverterTests
{
    private static readonly DateTimeOffset Expected = new DateTimeOffset(2022, 5, 15, 15, 16, 48, TimeSpan.Zero).AddTicks(2_772_640);

    [Theory]
    [InlineData("2022-05-15T15:16:48.277264")]
    [InlineData("2022-05-15T15:16:48.277264Z")]
    [InlineData("2022-05-15T20:46:48.277264+05:30")]
    public void TryParse_ZonelessOrZoned_ReadsTheSameUtcInstant(string text)
    {
        Assert.True(AbdmTimestampConverter.TryParse(text, out var value));

        Assert.Equal(Expected, value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Fact]
    public void TryParse_SeedAuthInitFiveDigitFraction_ReadsAsUtc()
    {
        Assert.True(AbdmTimestampConverter.TryParse("2022-05-15T15:16:47.21234", out var value));

        Assert.Equal(new DateTimeOffset(2022, 5, 15, 15, 16, 47, TimeSpan.Zero).AddTicks(2_123_400), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not a timestamp")]
    [InlineData("2022-13-45T99:00:00")]
    [InlineData(null)]
    public void TryParse_NotATimestamp_ReturnsFalse(string? text) =>
        Assert.False(AbdmTimestampConverter.TryParse(text, out _));

    [Fact]
    public void Format_NonUtcOffsetAndSubMillisecondTicks_WritesUtcMillisecondsWithZ()
    {
        var local = new DateTimeOffset(2022, 5, 11, 10, 28, 0, TimeSpan.FromHours(5.5)).AddTicks(379_999);

        Assert.Equal("2022-05-11T04:58:00.037Z", AbdmTimestampConverter.Format(local));
    }

    [Fact]
    public void Write_InADto_WritesTheSpecificationForm()
    {
        var json = JsonSerializer.Serialize(
            new RequestReference { RequestId = Guid.Empty },
            AbdmJsonContext.Default.RequestReference);
        Assert.Equal("""{"requestId":"00000000-0000-0000-0000-000000000000"}""", json);

        var heartbeat = JsonSerializer.Serialize(
            new HeartbeatResponse { Timestamp = new DateTimeOffset(2022, 5, 11, 10, 28, 0, 37, TimeSpan.FromHours(5.5)), Status = HeartbeatStatus.UP },
            AbdmJsonContext.Default.HeartbeatResponse);
        Assert.Equal("""{"timestamp":"2022-05-11T04:58:00.037Z","status":"UP"}""", heartbeat);
    }

    [Theory]
    [InlineData("""{"timestamp":1652245080,"status":"UP"}""")]
    [InlineData("""{"timestamp":"yesterday","status":"UP"}""")]
    [InlineData("""{"timestamp":null,"status":"UP"}""")]
    public void Read_TimestampNotAnIsoString_ThrowsJsonException(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, AbdmJsonContext.Default.HeartbeatResponse));
}
