using System.ComponentModel.DataAnnotations;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Display;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Sample.Operators;
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

    public string Operator => User.Name();

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

        var result = await queue.ClaimAsync(EntryId, Operator, cancellationToken);
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

        var operatorId = Operator;
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

        foreach (var (field, message) in Form.Validate(Clock.Today.Year))
        {
            ModelState.AddModelError($"{nameof(Form)}.{field}", message);
        }

        if (ModelState.IsValid && await WhyAlreadyTaggedAsync(existing, cancellationToken) is { } tagged)
        {
            SampleLog.AlreadyTagged(logger, EntryId, tagged.PatientId);
            ModelState.AddModelError($"{nameof(Form)}.{nameof(RegistrationForm.RegisterAs)}", tagged.Message);
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
            // Checked again inside the insert's transaction: two operators registering the same ABHA at once.
            if (await records.AddAsync(details, cancellationToken) is not { } added)
            {
                return await TaggedMeanwhileAsync(cancellationToken);
            }

            patient = added;
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

        // What antiforgery sets for a response with a form anyway: anything else is overridden with a warning.
        Response.Headers.CacheControl = "no-cache, no-store";
        Response.Headers.Pragma = "no-cache";
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

        var result = await act(EntryId, Operator);
        SampleLog.QueueAction(logger, EntryId, action, result.Outcome);
        if (result.Outcome != QueueActionOutcome.Done)
        {
            return await FailAsync(result, cancellationToken);
        }

        Flash.Set(TempData, string.Format(System.Globalization.CultureInfo.InvariantCulture, doneMessage, Entry.TokenNumber));
        return Redirect(CounterPath);
    }

    /// <summary>
    /// Post/redirect/get: an action that could not be done (lost a claim race, the entry left the queue) sends the
    /// operator back to the counter screen with the reason in one line, never leaving a POST URL in the address bar.
    /// </summary>
    private async Task<IActionResult> FailAsync(QueueActionResult result, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Flash.SetError(TempData, result.Outcome switch
        {
            QueueActionOutcome.HeldByOther => $"Token {Entry.TokenNumber} is being registered by {Entry.ClaimedBy}.",
            QueueActionOutcome.NotAllowed when Entry.Status == QueueEntryStatus.Received => $"Token {Entry.TokenNumber} is still being checked. Try again in a moment.",
            QueueActionOutcome.NotAllowed => $"Token {Entry.TokenNumber} is no longer waiting in the queue.",
            _ => $"Token {Entry.TokenNumber} is no longer in the queue.",
        });
        return Redirect(CounterPath);
    }

    private async Task<IActionResult> TaggedMeanwhileAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (await WhyAlreadyTaggedAsync(null, cancellationToken) is { } tagged)
        {
            SampleLog.AlreadyTagged(logger, EntryId, tagged.PatientId);
            ModelState.AddModelError($"{nameof(Form)}.{nameof(RegistrationForm.RegisterAs)}", tagged.Message);
        }

        Error = "The registration was not saved: correct the fields marked below.";
        Response.StatusCode = StatusCodes.Status409Conflict;
        return Page();
    }

    /// <summary>
    /// One ABHA, one patient (ABDM's M1 test TAGGING_UNIQUEPATIENTID_UNIQUEABHANUMBER): the scan's ABHA number or
    /// address may not be tagged to another patient, and an existing patient who holds another ABHA number may not be
    /// tagged with this one. Null when registering is fine.
    /// </summary>
    private async Task<(string PatientId, string Message)?> WhyAlreadyTaggedAsync(Patient? existing, CancellationToken cancellationToken)
    {
        var profile = Entry.Profile;
        var holder = await records.FindTaggedAsync(profile.AbhaNumber, profile.HealthId, except: existing?.PatientId, cancellationToken);
        if (holder is not null)
        {
            var what = PatientRecords.Digits(holder.AbhaNumber) is { Length: > 0 } digits && digits == PatientRecords.Digits(profile.AbhaNumber)
                ? "ABHA number"
                : "ABHA address";
            return (holder.PatientId, $"This {what} already belongs to patient {holder.PatientId} ({holder.Name}). Register the scan as that patient, not as {(existing is null ? "a new one" : existing.PatientId)}.");
        }

        if (existing is not null && PatientRecords.Digits(existing.AbhaNumber) is { Length: > 0 } held && PatientRecords.Digits(profile.AbhaNumber) is { Length: > 0 } shared && held != shared)
        {
            return (existing.PatientId, $"Patient {existing.PatientId} already holds another ABHA number ({PatientText.MaskedAbhaNumber(existing.AbhaNumber)}). A patient has one ABHA number: register the scan as a new patient, or check who this is.");
        }

        return null;
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        // An entry of another facility is "not found" for this operator, as an unknown one is.
        if (await queue.GetAsync(EntryId, cancellationToken) is not { } entry || !User.Serves(entry.HipId))
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

/// <summary>
/// The registration form, pre-filled from the shared profile; the operator may correct it. Numbers are bound as text and
/// checked here, so a typo gets a message in words next to its field (not the binder's "The value is not valid").
/// </summary>
internal sealed class RegistrationForm
{
    public const int FirstYear = 1900;

    [Required(ErrorMessage = "Enter the patient's name.")]
    [StringLength(100, ErrorMessage = "The name can be at most 100 characters.")]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = "Choose the patient's gender.")]
    public Gender? Gender { get; set; }

    public string? YearOfBirth { get; set; }

    public string? MonthOfBirth { get; set; }

    public string? DayOfBirth { get; set; }

    public string? Mobile { get; set; }

    [StringLength(200, ErrorMessage = "The address can be at most 200 characters.")]
    public string? AddressLine { get; set; }

    [StringLength(100, ErrorMessage = "The district can be at most 100 characters.")]
    public string? District { get; set; }

    [StringLength(100, ErrorMessage = "The state can be at most 100 characters.")]
    public string? State { get; set; }

    public string? Pincode { get; set; }

    /// <summary><c>new</c>, or the id of the existing patient the scan is linked to.</summary>
    [Required]
    public string RegisterAs { get; set; } = EntryModel.NewPatient;

    public static RegistrationForm From(SharedPatientProfile profile, string registerAs) => new()
    {
        Name = profile.Name,
        Gender = profile.Gender,
        YearOfBirth = Text(profile.YearOfBirth),
        MonthOfBirth = Text(profile.MonthOfBirth),
        DayOfBirth = Text(profile.DayOfBirth),
        Mobile = profile.Mobile,
        AddressLine = profile.Address?.Line,
        District = profile.Address?.District,
        State = profile.Address?.State,
        Pincode = profile.Address?.Pincode,
        RegisterAs = registerAs,
    };

    /// <summary>
    /// The Indian front-desk rules, each problem with its field: year of birth 1900 to this year; month and day
    /// optional but real; mobile 10 digits starting 6 to 9 (a +91 or 0 prefix, spaces and hyphens are fine); PIN
    /// code 6 digits not starting with 0.
    /// </summary>
    public IEnumerable<(string Field, string Message)> Validate(int thisYear)
    {
        var year = Number(YearOfBirth);
        if (string.IsNullOrWhiteSpace(YearOfBirth))
        {
            yield return (nameof(YearOfBirth), "Enter the year of birth.");
        }
        else if (year is not { } y || y < FirstYear || y > thisYear)
        {
            yield return (nameof(YearOfBirth), $"Enter the year of birth as 4 digits, from {FirstYear} to {thisYear}.");
        }

        var month = Number(MonthOfBirth);
        var day = Number(DayOfBirth);
        if (!string.IsNullOrWhiteSpace(MonthOfBirth) && month is not (>= 1 and <= 12))
        {
            yield return (nameof(MonthOfBirth), "Enter a month between 1 and 12, or leave it empty.");
        }
        else if (!string.IsNullOrWhiteSpace(DayOfBirth) && day is not (>= 1 and <= 31))
        {
            yield return (nameof(DayOfBirth), "Enter a day between 1 and 31, or leave it empty.");
        }
        else if (month is null && day is not null)
        {
            yield return (nameof(MonthOfBirth), "Enter the month of birth, or leave the day empty.");
        }
        else if (year is >= FirstYear and var yy && yy <= thisYear && month is { } m && day is { } d && d > DateTime.DaysInMonth(yy, m))
        {
            yield return (nameof(DayOfBirth), "That day does not exist in that month.");
        }

        if (!string.IsNullOrWhiteSpace(Mobile) && IndianMobile(Mobile) is null)
        {
            yield return (nameof(Mobile), "Enter a 10-digit mobile number starting with 6, 7, 8 or 9 (a +91 in front is fine), or leave it empty.");
        }

        if (!string.IsNullOrWhiteSpace(Pincode) && !IsPinCode(Pincode.Trim()))
        {
            yield return (nameof(Pincode), "Enter the 6-digit PIN code (it does not start with 0), or leave it empty.");
        }
    }

    /// <summary>The 10-digit mobile number, or null when <paramref name="value"/> is not an Indian mobile number.</summary>
    public static string? IndianMobile(string value)
    {
        var text = value.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (text.StartsWith("+91", StringComparison.Ordinal))
        {
            text = text[3..];
        }
        else if (text.Length == 12 && text.StartsWith("91", StringComparison.Ordinal))
        {
            text = text[2..];
        }
        else if (text.Length == 11 && text[0] == '0')
        {
            text = text[1..];
        }

        return text.Length == 10 && text.All(char.IsAsciiDigit) && text[0] is >= '6' and <= '9' ? text : null;
    }

    public static bool IsPinCode(string value) => value.Length == 6 && value.All(char.IsAsciiDigit) && value[0] != '0';

    /// <summary>The patient record: the reviewed details plus the ABHA identifiers exactly as shared (call after <see cref="Validate"/>).</summary>
    public Patient ToPatient(QueueEntry entry, string operatorId, DateTimeOffset now) => new()
    {
        PatientId = "",
        HipId = entry.HipId,
        Name = Name.Trim(),
        Gender = Gender ?? Model.Gender.Unknown,
        YearOfBirth = Number(YearOfBirth) ?? entry.Profile.YearOfBirth,
        MonthOfBirth = Number(MonthOfBirth),
        DayOfBirth = Number(DayOfBirth),
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

    private static int? Number(string? value) =>
        value is { Length: > 0 and <= 4 } text && text.Trim() is { Length: > 0 } trimmed && trimmed.All(char.IsAsciiDigit)
            ? int.Parse(trimmed, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static string? Text(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
