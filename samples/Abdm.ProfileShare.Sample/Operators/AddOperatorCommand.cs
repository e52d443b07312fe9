namespace Abdm.ProfileShare.Sample.Operators;

/// <summary>
/// <c>add-operator --facility &lt;hipId&gt; --user &lt;name&gt;</c>: adds an operator (or sets a new password for an existing
/// one) in the data folder the sample uses with the same configuration, reading the password from standard input.
/// Other arguments are configuration, as for the sample (<c>--Sample:Mode Sandbox</c>, <c>--Sample:DataDirectory ...</c>).
/// </summary>
internal static class AddOperatorCommand
{
    public const string Name = "add-operator";

    private const string Usage =
        "Usage: dotnet run --project samples/Abdm.ProfileShare.Sample -- add-operator --facility <hipId> --user <name> [configuration, e.g. --Sample:Mode Sandbox]\n"
        + "The password is read from standard input (at least 10 characters), e.g. printf '%s\\n' \"$PASSWORD\" | dotnet run ... -- add-operator ...";

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        string? facility = null;
        string? user = null;
        var configuration = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--facility" when i + 1 < args.Length:
                    facility = args[++i];
                    break;
                case "--user" when i + 1 < args.Length:
                    user = args[++i];
                    break;
                default:
                    configuration.Add(args[i]);
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(facility) || string.IsNullOrWhiteSpace(user))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var builder = SampleApp.CreateBuilder([.. configuration]);
        var sample = SampleApp.ReadOptions(builder.Configuration);
        if (sample.ActiveFacilities.All(f => f.HipId != facility))
        {
            var key = sample.Mode == SampleMode.Sandbox ? "Sample:SandboxFacilities" : "Sample:Facilities";
            await error.WriteLineAsync($"'{facility}' is not a facility of {sample.Mode} mode ({key}: {string.Join(", ", sample.ActiveFacilities.Select(f => f.HipId))}).");
            return 2;
        }

        if (ReferenceEquals(input, Console.In) && !Console.IsInputRedirected)
        {
            await output.WriteAsync($"Password for {user} (at least {OperatorStore.MinPasswordLength} characters, not shown): ");
        }

        var password = ReferenceEquals(input, Console.In) && !Console.IsInputRedirected ? ReadHidden() : await input.ReadLineAsync(cancellationToken);
        if (OperatorStore.WhyInvalid(user, password ?? "") is { } why)
        {
            await error.WriteLineAsync(why);
            return 2;
        }

        using var store = OperatorStore.ForDataDirectory(SampleApp.DataDirectory(builder, sample), TimeProvider.System);
        var added = await store.SetAsync(facility, user, password!, cancellationToken);
        await output.WriteLineAsync($"{(added ? "Added" : "Updated")} operator {user.Trim()} for {facility} in {store.Path}.");
        return 0;
    }

    private static string ReadHidden()
    {
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.WriteLine();
                return password.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
