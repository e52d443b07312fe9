using System.Net;

namespace Abdm.ProfileShare.Gateway;

/// <summary>
/// A gateway call failed: the gateway answered with an error status, could not be reached, timed out, or the
/// circuit breaker is open. Carries the HTTP status, the gateway's error code and message, and the requestId.
/// </summary>
/// <remarks>Expected outcomes (a FAILURE acknowledgement, error 1441 on on-confirm) are not exceptions.</remarks>
public sealed class AbdmGatewayException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AbdmGatewayException()
        : this("The ABDM gateway call failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public AbdmGatewayException(string message)
        : base(message)
    {
        Operation = "";
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AbdmGatewayException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Operation = "";
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="operation">The operation path, for example <c>/v0.5/users/auth/init</c>.</param>
    /// <param name="requestId">The requestId of the call, when it had one.</param>
    /// <param name="statusCode">The HTTP status, when the gateway answered.</param>
    /// <param name="errorCode">The gateway's error code (for example <c>1441</c> or <c>900901</c>).</param>
    /// <param name="gatewayMessage">The gateway's error message.</param>
    /// <param name="isTransient">Whether trying again later may succeed.</param>
    /// <param name="innerException">The cause.</param>
    public AbdmGatewayException(string operation, Guid? requestId, HttpStatusCode? statusCode, string? errorCode, string? gatewayMessage, bool isTransient, Exception? innerException = null)
        : base(Describe(operation, requestId, statusCode, errorCode, gatewayMessage, innerException), innerException)
    {
        Operation = operation;
        RequestId = requestId;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        GatewayMessage = gatewayMessage;
        IsTransient = isTransient;
    }

    /// <summary>The operation path, for example <c>/v0.5/users/auth/init</c>.</summary>
    public string Operation { get; }

    /// <summary>The requestId of the call, when it had one.</summary>
    public Guid? RequestId { get; }

    /// <summary>The HTTP status, when the gateway answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The gateway's error code, when it sent one.</summary>
    public string? ErrorCode { get; }

    /// <summary>The gateway's error message, when it sent one.</summary>
    public string? GatewayMessage { get; }

    /// <summary>Whether trying again later may succeed (connection failure, timeout, 408, 429, 5xx, open circuit).</summary>
    public bool IsTransient { get; }

    private static string Describe(string operation, Guid? requestId, HttpStatusCode? statusCode, string? errorCode, string? gatewayMessage, Exception? inner)
    {
        var what = statusCode is { } status
            ? $"answered HTTP {(int)status}"
            : inner switch
            {
                null => "failed",
                Polly.CircuitBreaker.BrokenCircuitException => "was not called: the circuit breaker is open after repeated failures",
                Polly.Timeout.TimeoutRejectedException or TaskCanceledException or TimeoutException => "timed out",
                _ => "could not be reached",
            };
        var code = errorCode is null ? "" : $", code {errorCode}";
        var text = string.IsNullOrWhiteSpace(gatewayMessage) ? "" : $": {gatewayMessage}";
        var request = requestId is { } id ? $" (requestId {id})" : "";
        return $"ABDM gateway {operation}{request} {what}{code}{text}";
    }
}
