using System.ComponentModel.DataAnnotations;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Display;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Sample.Patients;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>
/// Registration of one scanned patient: the form is pre-filled from the shared profile; the operator registers a new
/// patient or links the scan to an existing one, and the entry is completed (<see cref="ICounterQueue.CompleteAsync"/>).
/// </summary>
internal sealed class EntryModel(ICounterQueue queue, PatientRecords records, Facilities facilities, LocalClock clock, ILogger<EntryModel> logger) : PageModel
{
    public const string NewPatient = "new";

    [BindProperty(Name = "entryId", SupportsGet = true)]
    public Guid EntryId { get; set; }

    [BindProperty]
    public RegistrationForm Form { get; set; } = new();

    public QueueEntry Entry { get; private set; } = null!;

    public FacilityOptions? Facility { get; private set; }

    public CounterOptions? Counter { get; private set; }

    /// <summary>The existing patient the scan matched exactly (same ABHA number or PHR address).</summary>
    public Patient? ExactMatch { get; private set; }

    /// <summary>Existing patients that resemble the scan, with the library's score.</summary>
    public IReadOnlyList<(MatchCandidate Candidate, Patient Patient)> Candidates { get; private set; } = [];

    public LocalClock Clock { get; } = clock;

    public string? Operator => Operators.Current(HttpContext);

    public string? Error { get; private set; }

    public bool ClaimedByMe => Entry.Status == QueueEntryStatus.Claimed && Entry.ClaimedBy == Operator;

    public string CounterPath => $"/counters/{Uri.EscapeDataString(Entry.HipId)}/{Uri.EscapeDataString(Entry.CounterCode)}";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Form = RegistrationForm.From(Entry.Profile, ExactMatch is not null ? ExactMatch.PatientId : NewPatient);
        return Page();
    }

    public async Task<IActionResult> OnPostClaimAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        if (Operator is not { } operatorId)
        {
            return RedirectToOperator();
        }

        var result = await queue.ClaimAsync(EntryId, operatorId, cancellationToken);
        SampleLog.Claimed(logger, EntryId, result.Outcome);
        return result.Outcome == QueueActionOutcome.Done ? Redirect($"/entries/{EntryId}") : await FailAsync(result, cancellationToken);
    }

    /// <summary>Registers a new patient, or links the scan to an existing one, and completes the entry.</summary>
    public async Task<IActionResult> OnPostRegisterAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        if (Operator is not { } operatorId)
        {
            return RedirectToOperator();
        }

        if (Entry.Status == QueueEntryStatus.Claimed && Entry.ClaimedBy != operatorId)
        {
            return await FailAsync(new QueueActionResult(QueueActionOutcome.HeldByOther, Entry), cancellationToken);
        }

        if (Entry.Status is not (QueueEntryStatus.Waiting or QueueEntryStatus.Claimed))
        {
            return await FailAsync(new QueueActionResult(QueueActionOutcome.NotAllowed, Entry), cancellationToken);
        }

        Patient? existing = null;
        if (Form.RegisterAs != NewPatient)
        {
            existing = ExactMatch?.PatientId == Form.RegisterAs ? ExactMatch : Candidates.Select(c => c.Patient).FirstOrDefault(p => p.PatientId == Form.RegisterAs);
            if (existing is null)
            {
                ModelState.AddModelError($"{nameof(Form)}.{nameof(RegistrationForm.RegisterAs)}", "Choose a new patient or one of the listed existing patients.");
            }
        }

        if (Form.MonthOfBirth is null && Form.DayOfBirth is not null)
        {
            ModelState.AddModelError($"{nameof(Form)}.{nameof(RegistrationForm.MonthOfBirth)}", "Enter the month of birth, or leave the day empty.");
        }
        else if (Form is { YearOfBirth: >= 1900 and <= 2100 and var y, MonthOfBirth: >= 1 and <= 12 and var m, DayOfBirth: { } d } && d > DateTime.DaysInMonth(y, m))
        {
            ModelState.AddModelError($"{nameof(Form)}.{nameof(RegistrationForm.DayOfBirth)}", "That day does not exist in that month.");
        }

        if (!ModelState.IsValid)
        {
            Error = "The registration was not saved: correct the fields marked below.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var now = Clock.Now;
        var details = Form.ToPatient(Entry, operatorId, now);
        Patient patient;
        string how;
        if (existing is null)
        {
            patient = await records.AddAsync(details, cancellationToken);
            how = "new patient";
        }
        else
        {
            // Same person: keep the hospital's id and first registration, take the reviewed details and the ABHA identifiers.
            patient = details with { PatientId = existing.PatientId, HipId = existing.HipId, RegisteredAt = existing.RegisteredAt, RegisteredBy = existing.RegisteredBy, UpdatedAt = now };
            await records.UpdateAsync(patient, cancellationToken);
            how = "existing patient";
        }

        var result = await queue.CompleteAsync(EntryId, operatorId, patient.PatientId, cancellationToken);
        SampleLog.Completed(logger, EntryId, patient.PatientId, how, result.Outcome);
        if (result.Outcome != QueueActionOutcome.Done)
        {
            return await FailAsync(result, cancellationToken);
        }

        Flash.Set(TempData, $"Token {Entry.TokenNumber}: {patient.Name} registered as {how} {patient.PatientId}.");
        return Redirect(CounterPath);
    }

    /// <summary>Puts the entry back in the queue for another operator.</summary>
    public async Task<IActionResult> OnPostReleaseAsync(CancellationToken cancellationToken) =>
        await ActAsync("release", (id, op) => queue.ReleaseAsync(id, op, cancellationToken), $"Token {{0}} is back in the queue.", cancellationToken);

    /// <summary>Removes the entry from the queue without registering (for example a scan by mistake).</summary>
    public async Task<IActionResult> OnPostDismissAsync(CancellationToken cancellationToken) =>
        await ActAsync("dismiss", (id, op) => queue.DismissAsync(id, op, cancellationToken), $"Token {{0}} was removed from the queue.", cancellationToken);

    /// <summary>The linking-token box alone (the page's script swaps it in when the entry changes).</summary>
    public async Task<IActionResult> OnGetLinkingAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "no-store";
        return Partial("_LinkingBox", this);
    }

    /// <summary>Asks ABDM for the linking token again (after a failure or timeout).</summary>
    public async Task<IActionResult> OnPostRetryLinkingAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var result = await queue.StartLinkingAsync(EntryId, cancellationToken);
        SampleLog.QueueAction(logger, EntryId, "retry linking", result.Outcome);
        return Redirect($"/entries/{EntryId}");
    }

    public string? ErrorFor(string field) =>
        ModelState.TryGetValue($"{nameof(Form)}.{field}", out var entry) && entry.Errors.Count > 0 ? entry.Errors[0].ErrorMessage : null;

    private async Task<IActionResult> ActAsync(string action, Func<Guid, string, Task<QueueActionResult>> act, string doneMessage, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        if (Operator is not { } operatorId)
        {
            return RedirectToOperator();
        }

        var result = await act(EntryId, operatorId);
        SampleLog.QueueAction(logger, EntryId, action, result.Outcome);
        if (result.Outcome != QueueActionOutcome.Done)
        {
            return await FailAsync(result, cancellationToken);
        }

        Flash.Set(TempData, string.Format(System.Globalization.CultureInfo.InvariantCulture, doneMessage, Entry.TokenNumber));
        return Redirect(CounterPath);
    }

    private async Task<IActionResult> FailAsync(QueueActionResult result, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Form = RegistrationForm.From(Entry.Profile, ExactMatch?.PatientId ?? NewPatient);
        Error = result.Outcome switch
        {
            QueueActionOutcome.HeldByOther => $"Token {Entry.TokenNumber} is being registered by {Entry.ClaimedBy}.",
            QueueActionOutcome.NotAllowed when Entry.Status == QueueEntryStatus.Received => "This scan is still being checked. Try again in a moment.",
            QueueActionOutcome.NotAllowed => "This patient is no longer waiting in the queue.",
            _ => "This patient is no longer in the queue.",
        };
        Response.StatusCode = StatusCodes.Status409Conflict;
        return Page();
    }

    private RedirectResult RedirectToOperator() => Redirect($"/operator?returnUrl={Uri.EscapeDataString($"/entries/{EntryId}")}");

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (await queue.GetAsync(EntryId, cancellationToken) is not { } entry)
        {
            return false;
        }

        Entry = entry;
        Facility = facilities.Find(entry.HipId);
        Counter = Facility?.FindCounter(entry.CounterCode);
        ExactMatch = entry.Match is { Kind: MatchKind.Exact, PatientId: { } exactId } ? await records.GetAsync(exactId, cancellationToken) : null;
        var candidates = new List<(MatchCandidate, Patient)>();
        foreach (var candidate in entry.Match.Candidates)
        {
            if (await records.GetAsync(candidate.PatientId, cancellationToken) is { } patient)
            {
                candidates.Add((candidate, patient));
            }
        }

        Candidates = candidates;
        ViewData["Title"] = $"Register token {entry.TokenNumber}";
        return true;
    }
}

/// <summary>The registration form, pre-filled from the shared profile; the operator may correct it.</summary>
internal sealed class RegistrationForm
{
    [Required(ErrorMessage = "Enter the patient's name.")]
    [StringLength(100, ErrorMessage = "The name can be at most 100 characters.")]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = "Choose the patient's gender.")]
    public Gender? Gender { get; set; }

    [Required(ErrorMessage = "Enter the year of birth.")]
    [Range(1900, 2100, ErrorMessage = "Enter a year of birth between 1900 and 2100.")]
    public int? YearOfBirth { get; set; }

    [Range(1, 12, ErrorMessage = "Enter a month between 1 and 12, or leave it empty.")]
    public int? MonthOfBirth { get; set; }

    [Range(1, 31, ErrorMessage = "Enter a day between 1 and 31, or leave it empty.")]
    public int? DayOfBirth { get; set; }

    [StringLength(20, ErrorMessage = "The mobile number can be at most 20 characters.")]
    [RegularExpression(@"^[0-9+\- ]*$", ErrorMessage = "Enter the mobile number with digits, spaces, + or - only.")]
    public string? Mobile { get; set; }

    [StringLength(200)]
    public string? AddressLine { get; set; }

    [StringLength(100)]
    public string? District { get; set; }

    [StringLength(100)]
    public string? State { get; set; }

    [StringLength(10)]
    public string? Pincode { get; set; }

    /// <summary><c>new</c>, or the id of the existing patient the scan is linked to.</summary>
    [Required]
    public string RegisterAs { get; set; } = EntryModel.NewPatient;

    public static RegistrationForm From(SharedPatientProfile profile, string registerAs) => new()
    {
        Name = profile.Name,
        Gender = profile.Gender,
        YearOfBirth = profile.YearOfBirth,
        MonthOfBirth = profile.MonthOfBirth,
        DayOfBirth = profile.DayOfBirth,
        Mobile = profile.Mobile,
        AddressLine = profile.Address?.Line,
        District = profile.Address?.District,
        State = profile.Address?.State,
        Pincode = profile.Address?.Pincode,
        RegisterAs = registerAs,
    };

    /// <summary>The patient record: the reviewed details plus the ABHA identifiers exactly as shared.</summary>
    public Patient ToPatient(QueueEntry entry, string operatorId, DateTimeOffset now) => new()
    {
        PatientId = "",
        HipId = entry.HipId,
        Name = Name.Trim(),
        Gender = Gender ?? Model.Gender.Unknown,
        YearOfBirth = YearOfBirth ?? entry.Profile.YearOfBirth,
        MonthOfBirth = MonthOfBirth,
        DayOfBirth = DayOfBirth,
        Mobile = Blank(Mobile),
        PhrAddress = entry.Profile.HealthId,
        AbhaNumber = entry.Profile.AbhaNumber,
        AddressLine = Blank(AddressLine),
        District = Blank(District),
        State = Blank(State),
        Pincode = Blank(Pincode),
        RegisteredAt = now,
        RegisteredBy = operatorId,
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
