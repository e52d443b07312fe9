namespace Abdm.ProfileShare.Model;

/// <summary>The ABDM wire version a share arrived in; its acknowledgement goes back in the same version.</summary>
public enum WireVersion
{
    /// <summary><c>/v0.5/patients/profile/share</c>, acknowledged by <c>/v0.5/patients/profile/on-share</c>.</summary>
    V05,

    /// <summary><c>/v1.0/patients/profile/share</c>, acknowledged by <c>/v1.0/patients/profile/on-share</c> with a token number.</summary>
    V10,
}
