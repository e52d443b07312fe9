// The sample HIS. `dotnet run --project samples/Abdm.ProfileShare.Sample`, then open http://127.0.0.1:5000/.
// Everything is in SampleApp.cs: the SDK set-up is the part a HIS copies.
using Abdm.ProfileShare.Sample;

await using var sample = await SampleApp.StartAsync(args);
await sample.App.WaitForShutdownAsync();
