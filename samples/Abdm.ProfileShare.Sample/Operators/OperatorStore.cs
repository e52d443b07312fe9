using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;

namespace Abdm.ProfileShare.Sample.Operators;

/// <summary>The outcome of a sign-in attempt.</summary>
internal enum SignInOutcome
{
    SignedIn,
    WrongCredentials,
    LockedOut,
}

/// <summary>
/// The operators who may sign in, kept in <c>operators.json</c> in the sample's data folder (readable by the owner
/// only). Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>; after
/// <see cref="MaxFailedAttempts"/> wrong passwords in a row an operator is locked out for <see cref="LockoutDuration"/>.
/// A real HIS has its own user directory; this is the least a front desk on a network needs.
/// </summary>
internal sealed class OperatorStore(string path, TimeProvider time) : IDisposable
{
    public const string FileName = "operators.json";
    public const int MaxFailedAttempts = 5;
    public const int MinPasswordLength = 10;
    public const int MaxUserNameLength = 60;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly string DummyHash = new PasswordHasher<OperatorAccount>().HashPassword(new OperatorAccount(), NewPassword());
    private readonly PasswordHasher<OperatorAccount> _hasher = new();
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string Path { get; } = path;

    public static OperatorStore ForDataDirectory(string dataDirectory, TimeProvider time) =>
        new(System.IO.Path.Combine(dataDirectory, FileName), time);

    public void Dispose() => _lock.Dispose();

    /// <summary>Why a user name or password cannot be used, in words; null when they can.</summary>
    public static string? WhyInvalid(string userName, string password)
    {
        if (string.IsNullOrWhiteSpace(userName) || userName.Length > MaxUserNameLength || userName.Any(c => char.IsControl(c)))
        {
            return $"The user name must be 1 to {MaxUserNameLength} characters.";
        }

        return password.Length < MinPasswordLength ? $"The password must be at least {MinPasswordLength} characters." : null;
    }

    /// <summary>A random password for a demo operator (letters and digits that are not easily confused).</summary>
    public static string NewPassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 16);
    }

    public async Task<IReadOnlyList<OperatorAccount>> ListAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return await ReadAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Adds an operator, or sets the password and facility of an existing one (which also lifts a lockout).</summary>
    /// <returns>True when the operator is new.</returns>
    public async Task<bool> SetAsync(string hipId, string userName, string password, CancellationToken cancellationToken)
    {
        if (WhyInvalid(userName, password) is { } why)
        {
            throw new ArgumentException(why, nameof(password));
        }

        userName = userName.Trim();
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var accounts = await ReadAsync(cancellationToken);
            var account = accounts.FirstOrDefault(a => string.Equals(a.UserName, userName, StringComparison.OrdinalIgnoreCase));
            var added = account is null;
            if (account is null)
            {
                account = new OperatorAccount { UserName = userName };
                accounts.Add(account);
            }

            account.HipId = hipId;
            account.PasswordHash = _hasher.HashPassword(account, password);
            account.FailedAttempts = 0;
            account.LockedUntil = null;
            await WriteAsync(accounts, cancellationToken);
            return added;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Checks a user name and password, counting wrong passwords towards a lockout.</summary>
    public async Task<(SignInOutcome Outcome, OperatorAccount? Account)> SignInAsync(string userName, string password, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var accounts = await ReadAsync(cancellationToken);
            var account = accounts.FirstOrDefault(a => string.Equals(a.UserName, userName.Trim(), StringComparison.OrdinalIgnoreCase));
            if (account is null)
            {
                // Same work as for a known user, so the answer time does not tell which user names exist.
                _hasher.VerifyHashedPassword(new OperatorAccount(), DummyHash, password);
                return (SignInOutcome.WrongCredentials, null);
            }

            var now = time.GetUtcNow();
            if (account.LockedUntil is { } until && until > now)
            {
                return (SignInOutcome.LockedOut, null);
            }

            var result = _hasher.VerifyHashedPassword(account, account.PasswordHash, password);
            if (result == PasswordVerificationResult.Failed)
            {
                account.FailedAttempts++;
                if (account.FailedAttempts >= MaxFailedAttempts)
                {
                    account.FailedAttempts = 0;
                    account.LockedUntil = now + LockoutDuration;
                }

                await WriteAsync(accounts, cancellationToken);
                return (account.LockedUntil is { } locked && locked > now ? SignInOutcome.LockedOut : SignInOutcome.WrongCredentials, null);
            }

            if (result == PasswordVerificationResult.SuccessRehashNeeded)
            {
                account.PasswordHash = _hasher.HashPassword(account, password);
            }

            if (account.FailedAttempts != 0 || account.LockedUntil is not null || result == PasswordVerificationResult.SuccessRehashNeeded)
            {
                account.FailedAttempts = 0;
                account.LockedUntil = null;
                await WriteAsync(accounts, cancellationToken);
            }

            return (SignInOutcome.SignedIn, account);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<List<OperatorAccount>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        await using var stream = File.OpenRead(Path);
        return await JsonSerializer.DeserializeAsync<List<OperatorAccount>>(stream, Json, cancellationToken) ?? [];
    }

    private async Task WriteAsync(List<OperatorAccount> accounts, CancellationToken cancellationToken)
    {
        // Write a new file readable by the owner only, then move it over the old one.
        var temporary = Path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(stream, accounts, Json, cancellationToken);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, Path, overwrite: true);
    }
}
