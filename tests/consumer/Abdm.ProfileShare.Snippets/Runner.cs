// Runs the README's Quickstart exactly as pasted (Generated/Quickstart.cs) against the gateway simulator, configured
// the way a user configures it (command-line configuration, as environment variables or appsettings.json would),
// and completes one scan: the phone must show SUCCESS with a token number. Exit code 0 on success, 1 otherwise.
using System.Net;
using System.Net.Sockets;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;

namespace Snippets;

public static class Runner
{
    private const string HipId = "SNIPPET-HIP-1";

    public static async Task<int> Main()
    {
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var work = Directory.CreateTempSubdirectory("abdm-quickstart-");
        Environment.CurrentDirectory = work.FullName; // the Quickstart's "Data Source=abdm.db" lands here
        try
        {
            await using var gateway = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions { ClientId = "quickstart-client", ClientSecret = secret });
            var port = FreePort();
            string[] args =
            [
                $"--urls=http://127.0.0.1:{port}",
                "--environment=Production",
                "--Logging:LogLevel:Default=Warning",
                $"--AbdmProfileShare:HipIds:0={HipId}",
                $"--AbdmProfileShare:Gateway:BaseUrl={gateway.BaseUrl}",
                "--AbdmProfileShare:Gateway:ClientId=quickstart-client",
                $"--AbdmProfileShare:Gateway:ClientSecret={secret}",
            ];
            var quickstart = Task.Run(() => Quickstart.Snippet.RunAsync(args));

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var heartbeat = new Uri($"http://127.0.0.1:{port}/abdm/v0.5/heartbeat");
            using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (true)
                {
                    if (quickstart.IsCompleted)
                    {
                        await quickstart; // surfaces the start-up exception
                        return Fail("the Quickstart stopped before it answered");
                    }

                    try
                    {
                        using var response = await http.GetAsync(heartbeat, started.Token);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            break;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // not listening yet
                    }

                    await Task.Delay(100, started.Token); // polling a process's port, not waiting for a callback
                }
            }

            gateway.RegisterHip(HipId, new Uri($"http://127.0.0.1:{port}/abdm/"));
            var share = await gateway.ScanAsync(new SimulatedScan(HipId, "C1", SyntheticPatients.All[0], WireVersion.V10));
            var phone = await share.Acknowledgement.WaitAsync(TimeSpan.FromSeconds(30));
            if (!phone.IsSuccess || phone.TokenNumber is null)
            {
                return Fail($"the phone showed {phone.Status} without a token number");
            }

            Console.WriteLine($"quickstart: a scan at counter C1 completed, the phone shows SUCCESS with token {phone.TokenNumber}");
            return 0;
        }
        catch (Exception ex)
        {
            return Fail(ex.ToString());
        }
        finally
        {
            Environment.CurrentDirectory = Path.GetTempPath();
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // the Quickstart's host still runs on its thread until the process ends; the folder is a temp folder
            }
        }
    }

    private static int Fail(string reason)
    {
        Console.Error.WriteLine("quickstart FAILED: " + reason);
        return 1;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
