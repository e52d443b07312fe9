namespace Abdm.ProfileShare.Sample.Operators;

/// <summary>One operator who may sign in: a user name, the facility (HIP id) they work at, and their password hash.</summary>
internal sealed class OperatorAccount
{
    /// <summary>The sign-in name, also the operator id saved on claims and registrations.</summary>
    public string UserName { get; set; } = "";

    /// <summary>The facility (HIP id) whose counters, entries, QR codes and live feeds this operator may open.</summary>
    public string HipId { get; set; } = "";

    /// <summary>ASP.NET Core Identity's <c>PasswordHasher</c> format (PBKDF2, salted).</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>Wrong passwords since the last successful sign-in or lockout.</summary>
    public int FailedAttempts { get; set; }

    /// <summary>Until when sign-in is refused after too many wrong passwords.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
}
