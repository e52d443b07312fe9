namespace Abdm.ProfileShare;

/// <summary>Resilience of gateway calls (Polly v8 through Microsoft.Extensions.Http.Resilience).</summary>
public sealed class GatewayResilienceOptions
{
    /// <summary>Timeout of one attempt (<c>AbdmProfileShare:Resilience:AttemptTimeout</c>). Default: 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of a call including its retries (<c>AbdmProfileShare:Resilience:TotalTimeout</c>). Default: 30 seconds.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries after the first attempt, on transient failures only (connection errors, timeouts, 408, 429, 5xx)
    /// (<c>AbdmProfileShare:Resilience:MaxRetryAttempts</c>). Default: 3. Zero disables retries.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Base delay of the jittered exponential back-off (<c>AbdmProfileShare:Resilience:RetryBaseDelay</c>). Default: 500 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Failure ratio that opens the circuit (<c>AbdmProfileShare:Resilience:CircuitBreakerFailureRatio</c>). Default: 0.5.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the sampling window before the circuit may open (<c>AbdmProfileShare:Resilience:CircuitBreakerMinimumThroughput</c>). Default: 10.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The circuit breaker's sampling window (<c>AbdmProfileShare:Resilience:CircuitBreakerSamplingDuration</c>). Default: 30 seconds.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open (<c>AbdmProfileShare:Resilience:CircuitBreakerBreakDuration</c>). Default: 15 seconds.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
