using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Sample.Patients;

/// <summary>A patient in the sample's own minimal HIS.</summary>
internal sealed record Patient
{
    /// <summary>The hospital's patient id, for example <c>P-000001</c>.</summary>
    public required string PatientId { get; init; }

    /// <summary>The facility (HIP id) that registered the patient.</summary>
    public required string HipId { get; init; }

    public required string Name { get; init; }

    public required Gender Gender { get; init; }

    public required int YearOfBirth { get; init; }

    public int? MonthOfBirth { get; init; }

    public int? DayOfBirth { get; init; }

    public string? Mobile { get; init; }

    /// <summary>The PHR (ABHA) address, for example <c>name@sbx</c>.</summary>
    public string? PhrAddress { get; init; }

    /// <summary>The 14-digit ABHA number as shared (shown masked).</summary>
    public string? AbhaNumber { get; init; }

    public string? AddressLine { get; init; }

    public string? District { get; init; }

    public string? State { get; init; }

    public string? Pincode { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    public required string RegisteredBy { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public override string ToString() => $"Patient {{ PatientId = {PatientId} }}";
}
