using Abdm.ProfileShare.Workflow;

namespace Abdm.ProfileShare.Sample.Patients;

/// <summary>
/// Answers the library's "is this patient already registered?" from the sample's patient list, so a returning
/// patient is recognised on their next scan (the library scores what this returns; it never creates a patient).
/// </summary>
internal sealed class SamplePatientDirectory(PatientRecords records) : IPatientDirectory
{
    public async ValueTask<IReadOnlyList<DirectoryPatient>> FindAsync(PatientLookup lookup, CancellationToken cancellationToken)
    {
        var patients = await records.FindAsync(lookup, cancellationToken);
        return [.. patients.Select(p => new DirectoryPatient
        {
            PatientId = p.PatientId,
            Name = p.Name,
            AbhaNumber = p.AbhaNumber,
            PhrAddress = p.PhrAddress,
            Mobile = p.Mobile,
            YearOfBirth = p.YearOfBirth,
        })];
    }
}
