using System.Globalization;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Sample.Display;

/// <summary>Times in the facility's time zone (<c>AbdmProfileShare:Queue:TimeZone</c>), read from the injected TimeProvider.</summary>
internal sealed class LocalClock(TimeProvider timeProvider, IOptions<AbdmProfileShareOptions> options)
{
    private readonly TimeZoneInfo _zone = FindZone(options.Value.Queue.TimeZone);

    public DateTimeOffset Now => timeProvider.GetUtcNow();

    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, _zone).DateTime);

    public DateTimeOffset ToLocal(DateTimeOffset time) => TimeZoneInfo.ConvertTime(time, _zone);

    /// <summary><c>14:05</c> today, <c>27 Nov 14:05</c> on another day.</summary>
    public string Format(DateTimeOffset time)
    {
        var local = ToLocal(time);
        return DateOnly.FromDateTime(local.DateTime) == Today
            ? local.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : local.ToString("d MMM HH:mm", CultureInfo.InvariantCulture);
    }

    public static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
