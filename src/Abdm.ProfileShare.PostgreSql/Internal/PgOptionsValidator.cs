using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// Validates <see cref="PostgreSqlProfileShareStoreOptions"/> when the host starts, reporting every problem at once, each
/// naming its configuration key (and never echoing a connection string: it may hold a password).
/// </summary>
internal sealed partial class PgOptionsValidator(IServiceProviderIsService services, string keyPrefix) : IValidateOptions<PostgreSqlProfileShareStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlProfileShareStoreOptions options)
    {
        var problems = Problems(options, requireConnectionString: !services.IsService(typeof(NpgsqlDataSource)), keyPrefix);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static List<string> Problems(PostgreSqlProfileShareStoreOptions options, bool requireConnectionString, string prefix)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (requireConnectionString)
            {
                problems.Add($"{prefix}ConnectionString is required when the application registers no NpgsqlDataSource.");
            }
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException)
            {
                problems.Add($"{prefix}ConnectionString is not a valid Npgsql connection string (an unknown keyword or a bad value).");
            }
        }

        if (options.Schema is null || !Identifier().IsMatch(options.Schema) || options.Schema.StartsWith("pg_", StringComparison.Ordinal))
        {
            problems.Add($"{prefix}Schema must be a plain PostgreSQL identifier: a lower-case ASCII letter or underscore, then lower-case letters, digits or underscores, at most 48 characters, not starting with pg_.");
        }

        if (options.CommandTimeout < TimeSpan.FromSeconds(1) || options.CommandTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{prefix}CommandTimeout must be between 00:00:01 and 00:05:00.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            problems.Add($"{prefix}MaxRetries must be between 0 and 10.");
        }

        if (!Enum.IsDefined(options.LeaseClock))
        {
            problems.Add($"{prefix}LeaseClock must be Database or Caller.");
        }

        return problems;
    }

    /// <summary>
    /// The data source the store opens from its connection string: connect and command timeouts from
    /// <see cref="PostgreSqlProfileShareStoreOptions.CommandTimeout"/>, statements auto-prepared (each operation's few
    /// statements are parsed once per connection), no reset of a connection returned to the pool, and an application
    /// name, unless the connection string sets them.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(PostgreSqlProfileShareStoreOptions options)
    {
        // NpgsqlConnectionStringBuilder.ContainsKey answers for every keyword it knows: what the connection string
        // itself sets is read with the plain builder.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = options.ConnectionString };
        bool Given(params string[] keys) => keys.Any(given.ContainsKey);
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        var seconds = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        if (!Given("Timeout"))
        {
            builder.Timeout = seconds;
        }

        if (!Given("Command Timeout", "CommandTimeout"))
        {
            builder.CommandTimeout = seconds;
        }

        if (!Given("Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 32;
        }

        // The store keeps no session state on pooled connections (its advisory locks are transaction-level, and its
        // listener UNLISTENs before it gives its connection back), so the reset a pooled connection gets when it is
        // reused (DISCARD ALL, one more statement per operation) is work for nothing.
        if (!Given("No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!Given("Application Name", "ApplicationName"))
        {
            builder.ApplicationName = "Abdm.ProfileShare";
        }

        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    /// <summary>The key prefix of messages: the configuration section's path when bound from one.</summary>
    public static string Prefix(string? sectionPath) =>
        string.IsNullOrEmpty(sectionPath) ? "PostgreSqlProfileShareStoreOptions." : string.Create(CultureInfo.InvariantCulture, $"{sectionPath}:");
}
