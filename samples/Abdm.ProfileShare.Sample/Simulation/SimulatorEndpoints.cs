using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Operators;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Sample.Simulation;

/// <summary>The "simulate a scan" control's endpoint (simulator mode only).</summary>
internal static class SimulatorEndpoints
{
    public static IEndpointRouteBuilder MapSimulatorEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A form post (with the antiforgery token the counter page renders); answers what the phone shows, as JSON.
        endpoints.MapPost("/counters/{hipId}/{counter}/simulate-scan", ScanAsync);
        return endpoints;
    }

    private static async Task<IResult> ScanAsync(
        string hipId, string counter, [FromForm(Name = "patient")] string? patient, [FromForm(Name = "version")] string? version,
        Facilities facilities, SampleApp.SimulatorHolder holder, IOptions<AbdmProfileShareOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        if (holder.Control is not { } simulator || !context.User.Serves(hipId) || !facilities.TryFind(hipId, counter, out _, out _))
        {
            return Results.NotFound();
        }

        // The phone shares in the version the deployment is on (AbdmProfileShare:WireVersion); on the v0.5 gateway it
        // may choose v0.5 or v1.0.
        var configured = options.Value.WireVersion;
        var wireVersion = configured == WireVersion.V3 ? WireVersion.V3 : version == "v0.5" ? WireVersion.V05 : WireVersion.V10;
        var phone = await simulator.ScanAsync(hipId, counter, string.IsNullOrEmpty(patient) ? SimulatorControl.RandomChoice : patient, wireVersion, cancellationToken);
        return Results.Json(new PhoneResponse(phone.Success ? "SUCCESS" : "FAILURE", phone.TokenNumber, phone.Message, phone.PatientName, wireVersion switch { WireVersion.V3 => "v3", WireVersion.V10 => "v1.0", _ => "v0.5" }));
    }

    /// <summary>What the phone shows.</summary>
    internal sealed record PhoneResponse(string Status, string? TokenNumber, string? Message, string PatientName, string Version);
}
