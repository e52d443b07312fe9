using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Operators;
using Abdm.ProfileShare.Sample.Patients;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>
/// The patients registered at the operator's facility, with each one's linking-token status (never the token itself).
/// Matching a scan to a returning patient and the one-ABHA-one-patient rule use the whole patient index (one index for
/// the hospital's facilities, as <see cref="Abdm.ProfileShare.Workflow.IPatientDirectory"/> sees it).
/// </summary>
internal sealed class PatientsModel(PatientRecords records, ICounterQueue queue, Facilities facilities, Display.LocalClock clock) : PageModel
{
    public IReadOnlyList<(Patient Patient, LinkingTokenRecord? Token)> Rows { get; private set; } = [];

    public Facilities Facilities { get; } = facilities;

    public Display.LocalClock Clock { get; } = clock;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var rows = new List<(Patient, LinkingTokenRecord?)>();
        foreach (var patient in (await records.ListAsync(cancellationToken)).Where(p => User.Serves(p.HipId)))
        {
            var token = string.IsNullOrEmpty(patient.PhrAddress) ? null : await queue.GetLinkingTokenAsync(patient.HipId, patient.PhrAddress, cancellationToken);
            rows.Add((patient, token));
        }

        Rows = rows;
    }

    public string TokenStatus(LinkingTokenRecord? token) => token switch
    {
        null => "No linking token yet",
        { UsedAt: { } used } => $"Used {Clock.Format(used)}",
        { ReceivedAt: var received } => $"Received {Clock.Format(received)}, not used yet",
    };
}
