using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Display;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Sample.Operators;
using Abdm.ProfileShare.Sample.Simulation;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>
/// A counter's screen: every patient who scanned this counter's QR code, newest first, kept live by the
/// <c>/events</c> stream (see <c>wwwroot/js/counter.js</c>). Selecting a patient claims the entry for the operator.
/// </summary>
internal sealed class CounterModel(Facilities facilities, ICounterQueue queue, LocalClock clock, SampleApp.SimulatorHolder simulator, ILogger<CounterModel> logger,
    Microsoft.Extensions.Options.IOptions<AbdmProfileShareOptions> options) : PageModel
{
    [BindProperty(Name = "hipId", SupportsGet = true)]
    public string HipId { get; set; } = "";

    [BindProperty(Name = "counter", SupportsGet = true)]
    public string CounterCode { get; set; } = "";

    public FacilityOptions Facility { get; private set; } = null!;

    public CounterOptions Counter { get; private set; } = null!;

    public IReadOnlyList<QueueEntry> Entries { get; private set; } = [];

    /// <summary>What the counter serves now (the gateway asks the same for the patient's app on v3).</summary>
    public CounterRunningToken? Running { get; private set; }

    public LocalClock Clock { get; } = clock;

    public bool SimulatorMode => simulator.Control is not null;

    /// <summary>Whether the deployment is on ABDM v3 (<c>AbdmProfileShare:WireVersion</c>): the simulated phone then shares in v3.</summary>
    public bool OnV3 => options.Value.WireVersion == Model.WireVersion.V3;

    public string Operator => User.Name();

    /// <summary>The outcome of the last registration, shown once (see <see cref="Flash"/>).</summary>
    public string? Message { get; private set; }

    public string? Error { get; private set; }

    public string BasePath => $"/counters/{Uri.EscapeDataString(HipId)}/{Uri.EscapeDataString(CounterCode)}";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Message = Flash.Take(TempData);
        Error = Flash.TakeError(TempData);
        return Page();
    }

    /// <summary>The list alone (the page's script swaps it in on every change).</summary>
    public async Task<IActionResult> OnGetQueueAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        // What antiforgery sets for a response with a form anyway: anything else is overridden with a warning.
        Response.Headers.CacheControl = "no-cache, no-store";
        Response.Headers.Pragma = "no-cache";
        return Partial("_Queue", this);
    }

    /// <summary>The operator selected an entry: claim it (one operator at a time) and open the registration form.</summary>
    public async Task<IActionResult> OnPostClaimAsync(Guid entryId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var result = await queue.ClaimAsync(entryId, Operator, cancellationToken);
        SampleLog.Claimed(logger, entryId, result.Outcome);
        if (result.Outcome == QueueActionOutcome.Done)
        {
            return Redirect($"/entries/{entryId}");
        }

        // Post/redirect/get: back on the counter screen with the reason in one line.
        var token = result.Entry?.TokenNumber;
        Flash.SetError(TempData, result.Outcome switch
        {
            QueueActionOutcome.HeldByOther => $"Token {token} is already being registered by {result.Entry?.ClaimedBy}.",
            QueueActionOutcome.NotAllowed when result.Entry?.Status == QueueEntryStatus.Received => $"Token {token} is still being checked. Try again in a moment.",
            QueueActionOutcome.NotAllowed => $"Token {token} is no longer waiting.",
            _ => "That patient is no longer in the queue.",
        });
        return Redirect(BasePath);
    }

    /// <summary>Call-next, for desks that call a token before they register it: the lowest waiting token not yet called.</summary>
    public async Task<IActionResult> OnPostCallNextAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var result = await queue.CallNextAsync(HipId, CounterCode, Operator, cancellationToken);
        if (result.Outcome == QueueActionOutcome.Done)
        {
            Flash.Set(TempData, $"Now serving token {result.Entry!.TokenNumber}.");
        }
        else
        {
            Flash.SetError(TempData, "No waiting token is left to call.");
        }

        return Redirect(BasePath);
    }

    /// <summary>"Now serving 12, about 4 minutes per patient", or that no token was called today.</summary>
    public static string NowServing(CounterRunningToken? running) => running?.TokenNumber is { } token
        ? $"Now serving token {token}, about {running.AverageServiceMinutes} min per patient ({running.ServedToday} registered today)"
        : "No token called yet today";

    public static string Age(SharedPatientProfile profile, LocalClock clock)
    {
        var age = profile.AgeOn(clock.Today);
        return age == 1 ? "1 year" : $"{age} years";
    }

    public static IEnumerable<(string Value, string Label)> PatientChoices()
    {
        yield return (SimulatorControl.RandomChoice, "Random synthetic patient");
        foreach (var patient in SimulatorControl.Patients)
        {
            yield return (patient.HealthId, $"{patient.Name} ({patient.HealthId})");
        }

        yield return (SimulatorControl.MismatchChoice, $"{SimulatorControl.MismatchPatient.Name} (ABHA details differ)");
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        // A counter of another facility is "not found" for this operator, as an unknown one is.
        if (!User.Serves(HipId) || !facilities.TryFind(HipId, CounterCode, out var facility, out var counter))
        {
            return false;
        }

        Facility = facility;
        Counter = counter;
        Entries = await queue.ListAsync(HipId, CounterCode, cancellationToken);
        Running = await queue.GetRunningTokenAsync(HipId, CounterCode, cancellationToken);
        ViewData["Title"] = $"{counter.DisplayName}, {facility.DisplayName}";
        return true;
    }
}
