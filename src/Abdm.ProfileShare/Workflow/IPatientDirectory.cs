namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// The hospital's patient index, asked whether a scanned patient is already registered. The library scores what
/// it returns (ABHA number, then PHR address for an exact match; mobile, name and year of birth for candidates)
/// and never creates a patient: the operator decides.
/// </summary>
/// <remarks>
/// <para>The default directory knows no patients (every scan is a new patient). Register yours with <c>builder.AddPatientDirectory&lt;T&gt;()</c>.</para>
/// <para>
/// One ABHA, one patient: ABDM's certification (M1 test case <c>TAGGING_UNIQUEPATIENTID_UNIQUEABHANUMBER</c>) requires
/// the HIS to refuse registering a second patient with an ABHA number or ABHA address already tagged to a patient, and
/// to refuse tagging a patient who already holds another ABHA number. The SDK steers the operator to the existing
/// record (an exact match by ABHA number, then ABHA address, is reported as the returning patient), but the rule must
/// be enforced where patients are registered: in the HIS.
/// </para>
/// </remarks>
public interface IPatientDirectory
{
    /// <summary>
    /// Returns existing patients that share at least one of the lookup's identifiers (ABHA number, PHR address,
    /// mobile) or its name and year of birth. Returning a few false positives is fine; they are scored.
    /// </summary>
    /// <param name="lookup">What the scan shared.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Possible matches (at most a few dozen).</returns>
    ValueTask<IReadOnlyList<DirectoryPatient>> FindAsync(PatientLookup lookup, CancellationToken cancellationToken);
}

/// <summary>What a scan shared, to look a patient up by.</summary>
/// <param name="AbhaNumber">The 14-digit ABHA number, if shared.</param>
/// <param name="PhrAddress">The PHR address.</param>
/// <param name="Mobile">The mobile number, if shared.</param>
/// <param name="Name">The name.</param>
/// <param name="YearOfBirth">The year of birth.</param>
public sealed record PatientLookup(string? AbhaNumber, string PhrAddress, string? Mobile, string Name, int YearOfBirth)
{
    /// <inheritdoc />
    public override string ToString() => "PatientLookup { redacted }";
}

/// <summary>A patient the hospital already has.</summary>
public sealed record DirectoryPatient
{
    /// <summary>The hospital's patient id.</summary>
    public required string PatientId { get; init; }

    /// <summary>The name on record.</summary>
    public required string Name { get; init; }

    /// <summary>The ABHA number on record, if any.</summary>
    public string? AbhaNumber { get; init; }

    /// <summary>The PHR address on record, if any.</summary>
    public string? PhrAddress { get; init; }

    /// <summary>The mobile number on record, if any.</summary>
    public string? Mobile { get; init; }

    /// <summary>The year of birth on record, if any.</summary>
    public int? YearOfBirth { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"DirectoryPatient {{ PatientId = {PatientId} }}";
}
