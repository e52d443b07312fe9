namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// The outcome of reading a callback body (<see cref="IProfileShareInbox.ReadShare"/>,
/// <see cref="IProfileShareInbox.ReadLinkingCallback"/>): the mapped callback, or why it is refused (answered 400).
/// </summary>
/// <typeparam name="T">What was read.</typeparam>
/// <param name="Value">The callback, when it was read.</param>
/// <param name="Error">Why not, naming the JSON path or header and the rule; never a submitted value.</param>
/// <param name="ErrorCode">v3: the ABDM error code to answer with (<c>ABDM-1006</c>, ...); null on v0.5/v1.0 (the code is the HTTP status).</param>
public readonly record struct CallbackReadResult<T>(T? Value, string? Error, string? ErrorCode)
    where T : class
{
    /// <summary>Whether the body was read.</summary>
    public bool Succeeded => Value is not null;
}
