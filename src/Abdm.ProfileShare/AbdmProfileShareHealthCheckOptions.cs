namespace Abdm.ProfileShare;

/// <summary>Settings of the health checks added by <see cref="AbdmProfileShareHealthCheckBuilderExtensions.AddHealthChecks"/>.</summary>
public sealed class AbdmProfileShareHealthCheckOptions
{
    /// <summary>
    /// The outbox check turns unhealthy when its oldest pending item is older than this. Default: 5 minutes. At least the
    /// longer of <c>Linking:CallbackTimeout</c> and <c>Linking:RequestWindow</c>, plus one minute, is used (8 minutes by
    /// default), since a callback-timeout timer or a throttled token request legitimately waits that long.
    /// </summary>
    public TimeSpan OutboxStuckThreshold { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one check may run before it is reported unhealthy. Default: 5 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Tags of every check, to select them when mapping health endpoints
    /// (<c>Predicate = r => r.Tags.Contains("abdm")</c>). Default: <c>abdm</c>.
    /// </summary>
    public IList<string> Tags { get; } = ["abdm"];
}
