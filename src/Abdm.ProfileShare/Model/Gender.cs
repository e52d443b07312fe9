namespace Abdm.ProfileShare.Model;

/// <summary>A patient's gender as ABDM codes it.</summary>
public enum Gender
{
    /// <summary><c>M</c>: male.</summary>
    Male,

    /// <summary><c>F</c>: female.</summary>
    Female,

    /// <summary><c>O</c>: other.</summary>
    Other,

    /// <summary><c>U</c>: unknown.</summary>
    Unknown,

    /// <summary><c>D</c> (ABDM v3): the patient chose not to disclose.</summary>
    Undisclosed,

    /// <summary><c>T</c> (ABDM v3): transgender.</summary>
    Transgender,
}
