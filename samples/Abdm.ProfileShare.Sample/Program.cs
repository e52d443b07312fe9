// The sample HIS. `dotnet run --project samples/Abdm.ProfileShare.Sample`, then open http://127.0.0.1:5000/ and sign in
// with the demo operator printed at the first start. Everything is in SampleApp.cs: the SDK set-up is the part a HIS copies.
// `dotnet run --project samples/Abdm.ProfileShare.Sample -- add-operator --facility <hipId> --user <name>` adds an operator
// (the password is read from standard input).
using Abdm.ProfileShare.Sample;
using Abdm.ProfileShare.Sample.Operators;

if (args.Length > 0 && args[0] == AddOperatorCommand.Name)
{
    return await AddOperatorCommand.RunAsync(args[1..], Console.In, Console.Out, Console.Error);
}

RunningSample sample;
try
{
    sample = await SampleApp.StartAsync(args);
}
catch (IOException error) when (SampleStartErrors.AddressInUse(error) is { } message)
{
    await Console.Error.WriteLineAsync(message);
    return 1;
}

await using (sample)
{
    await sample.App.WaitForShutdownAsync();
}

return 0;
