using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>The current time and the local service day (token numbers restart each local day).</summary>
internal sealed class WorkflowClock
{
    private readonly TimeProvider _timeProvider;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private (string Id, TimeZoneInfo Zone)? _zone;

    public WorkflowClock(TimeProvider timeProvider, IOptionsMonitor<AbdmProfileShareOptions> options)
    {
        _timeProvider = timeProvider;
        _options = options;
    }

    public TimeProvider TimeProvider => _timeProvider;

    public DateTimeOffset Now => _timeProvider.GetUtcNow();

    public DateOnly ServiceDay(DateTimeOffset at)
    {
        var id = _options.CurrentValue.Queue.TimeZone;
        var zone = _zone is { } cached && cached.Id == id ? cached.Zone : null;
        if (zone is null)
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            _zone = (id, zone);
        }

        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
    }
}
