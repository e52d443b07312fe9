using System.Text.Json;
using System.Text.Json.Serialization;

namespace Abdm.ProfileShare.Wire;

// The generated DTOs read enums with a property-level JsonStringEnumConverter<T> (which the context cannot override),
// and it also accepts numbers ("gender": 7 or "7") and comma-joined names, read as a combination of values. These
// checks run after a DTO is read and refuse any value outside the contract, so an unknown gender (or mode, purpose,
// type) is a JsonException like any other malformed field instead of a silent (PatientGender)7. A combination that
// happens to be a defined value ("M,F" reads as F) cannot be told apart once read.

/// <content>Refuses a <c>gender</c> that is not one of the contract's values.</content>
partial record ProfilePatient : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => EnumValueChecks.Require(Gender, "profile.patient.gender");
}

/// <content>Refuses a <c>gender</c> that is not one of the contract's values.</content>
partial record PatientDemographicResponse : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => EnumValueChecks.Require(Gender, "auth.patient.gender");
}

/// <content>Refuses an auth <c>mode</c> that is not one of the contract's values.</content>
partial record PatientAuthInitResult : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => EnumValueChecks.Require(Mode, "auth.mode");
}

/// <content>Refuses a <c>purpose</c> that is not one of the contract's values.</content>
partial record AccessTokenValidity : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => EnumValueChecks.Require(Purpose, "auth.validity.purpose");
}

/// <content>Refuses a requester <c>type</c> that is not one of the contract's values.</content>
partial record PatientAuthRequester : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => EnumValueChecks.Require(Type, "requester.type");
}

internal static class EnumValueChecks
{
    public static void Require<TEnum>(TEnum? value, string field)
        where TEnum : struct, Enum
    {
        if (value is { } present)
        {
            Require(present, field);
        }
    }

    public static void Require<TEnum>(TEnum value, string field)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new JsonException($"{field} is not one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
    }
}
