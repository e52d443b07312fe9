using System.Globalization;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow;
using Microsoft.Data.Sqlite;

namespace Abdm.ProfileShare.Sample.Patients;

/// <summary>
/// The sample's minimal patient index: one table (<c>sample_patients</c>) in the sample's SQLite file, next to the
/// profile-share store's tables. A real HIS has its own; what matters is that it can answer
/// <see cref="IPatientDirectory"/> (see <see cref="SamplePatientDirectory"/>).
/// </summary>
internal sealed class PatientRecords(string connectionString)
{
    private const string Columns =
        "patient_id, hip_id, name, gender, year_of_birth, month_of_birth, day_of_birth, mobile, phr_address, abha_number, " +
        "address_line, district, state, pincode, registered_at, registered_by, updated_at";

    public string ConnectionString { get; } = connectionString;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS sample_patients (
                seq INTEGER PRIMARY KEY,
                patient_id TEXT NOT NULL UNIQUE,
                hip_id TEXT NOT NULL,
                name TEXT NOT NULL,
                gender TEXT NOT NULL,
                year_of_birth INTEGER NOT NULL,
                month_of_birth INTEGER NULL,
                day_of_birth INTEGER NULL,
                mobile TEXT NULL,
                mobile_digits TEXT NULL,
                phr_address TEXT NULL COLLATE NOCASE,
                abha_number TEXT NULL,
                abha_digits TEXT NULL,
                address_line TEXT NULL,
                district TEXT NULL,
                state TEXT NULL,
                pincode TEXT NULL,
                registered_at TEXT NOT NULL,
                registered_by TEXT NOT NULL,
                updated_at TEXT NULL
            );
            CREATE INDEX IF NOT EXISTS ix_sample_patients_phr ON sample_patients (phr_address);
            CREATE INDEX IF NOT EXISTS ix_sample_patients_abha ON sample_patients (abha_digits);
            CREATE INDEX IF NOT EXISTS ix_sample_patients_mobile ON sample_patients (mobile_digits);
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Registers a new patient and returns it with its new id; null when its ABHA number or ABHA address is already
    /// tagged to a patient (checked in the insert's transaction, which SQLite runs alone: BEGIN IMMEDIATE).
    /// </summary>
    public async Task<Patient?> AddAsync(Patient patient, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var tagged = connection.CreateCommand())
        {
            tagged.Transaction = transaction;
            tagged.CommandText = TaggedSql;
            BindTagged(tagged, patient.AbhaNumber, patient.PhrAddress, null);
            if (await tagged.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return null;
            }
        }

        await using var next = connection.CreateCommand();
        next.Transaction = transaction;
        next.CommandText = "SELECT COALESCE(MAX(seq), 0) + 1 FROM sample_patients";
        var seq = Convert.ToInt64(await next.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        var stored = patient with { PatientId = string.Create(CultureInfo.InvariantCulture, $"P-{seq:D6}") };

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"""
            INSERT INTO sample_patients (seq, {Columns}, abha_digits, mobile_digits)
            VALUES ($seq, $patient_id, $hip_id, $name, $gender, $year_of_birth, $month_of_birth, $day_of_birth, $mobile, $phr_address,
                    $abha_number, $address_line, $district, $state, $pincode, $registered_at, $registered_by, $updated_at, $abha_digits, $mobile_digits)
            """;
        insert.Parameters.AddWithValue("$seq", seq);
        Bind(insert, stored);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    /// <summary>Updates an existing patient (identified by <see cref="Patient.PatientId"/>); false when there is none.</summary>
    public async Task<bool> UpdateAsync(Patient patient, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var update = connection.CreateCommand();
        update.CommandText = """
            UPDATE sample_patients SET name = $name, gender = $gender, year_of_birth = $year_of_birth, month_of_birth = $month_of_birth,
                day_of_birth = $day_of_birth, mobile = $mobile, phr_address = $phr_address, abha_number = $abha_number,
                address_line = $address_line, district = $district, state = $state, pincode = $pincode, updated_at = $updated_at,
                abha_digits = $abha_digits, mobile_digits = $mobile_digits
            WHERE patient_id = $patient_id
            """;
        Bind(update, patient);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The patient (other than <paramref name="except"/>) already tagged with this ABHA number or ABHA address, if any.</summary>
    public async Task<Patient?> FindTaggedAsync(string? abhaNumber, string? phrAddress, string? except, CancellationToken cancellationToken)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM sample_patients WHERE patient_id IN ({TaggedSql})", c => BindTagged(c, abhaNumber, phrAddress, except), cancellationToken);
        return found.Count > 0 ? found[0] : null;
    }

    public async Task<Patient?> GetAsync(string patientId, CancellationToken cancellationToken)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM sample_patients WHERE patient_id = $id", c => c.Parameters.AddWithValue("$id", patientId), cancellationToken);
        return found.Count > 0 ? found[0] : null;
    }

    /// <summary>Every patient, newest registration first.</summary>
    public Task<IReadOnlyList<Patient>> ListAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM sample_patients ORDER BY seq DESC", null, cancellationToken);

    /// <summary>Patients sharing an identifier with the lookup, or its name and year of birth (at most 50).</summary>
    public Task<IReadOnlyList<Patient>> FindAsync(PatientLookup lookup, CancellationToken cancellationToken) =>
        QueryAsync($"""
            SELECT {Columns} FROM sample_patients
            WHERE ($abha <> '' AND abha_digits = $abha)
               OR phr_address = $phr
               OR ($mobile <> '' AND mobile_digits = $mobile)
               OR (upper(name) = upper($name) AND year_of_birth = $year)
            ORDER BY seq DESC LIMIT 50
            """,
            c =>
            {
                c.Parameters.AddWithValue("$abha", Digits(lookup.AbhaNumber));
                c.Parameters.AddWithValue("$phr", lookup.PhrAddress.Trim());
                c.Parameters.AddWithValue("$mobile", LastTenDigits(lookup.Mobile));
                c.Parameters.AddWithValue("$name", lookup.Name.Trim());
                c.Parameters.AddWithValue("$year", lookup.YearOfBirth);
            },
            cancellationToken);

    private const string TaggedSql = """
        SELECT patient_id FROM sample_patients
        WHERE (($abha <> '' AND abha_digits = $abha) OR ($phr <> '' AND phr_address = $phr)) AND patient_id <> $except
        ORDER BY seq LIMIT 1
        """;

    private static void BindTagged(SqliteCommand command, string? abhaNumber, string? phrAddress, string? except)
    {
        command.Parameters.AddWithValue("$abha", Digits(abhaNumber));
        command.Parameters.AddWithValue("$phr", (phrAddress ?? "").Trim());
        command.Parameters.AddWithValue("$except", except ?? "");
    }

    private async Task<IReadOnlyList<Patient>> QueryAsync(string sql, Action<SqliteCommand>? bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind?.Invoke(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var patients = new List<Patient>();
        while (await reader.ReadAsync(cancellationToken))
        {
            patients.Add(new Patient
            {
                PatientId = reader.GetString(0),
                HipId = reader.GetString(1),
                Name = reader.GetString(2),
                Gender = Enum.Parse<Gender>(reader.GetString(3)),
                YearOfBirth = reader.GetInt32(4),
                MonthOfBirth = reader.IsDBNull(5) ? null : reader.GetInt32(5),
                DayOfBirth = reader.IsDBNull(6) ? null : reader.GetInt32(6),
                Mobile = NullableString(reader, 7),
                PhrAddress = NullableString(reader, 8),
                AbhaNumber = NullableString(reader, 9),
                AddressLine = NullableString(reader, 10),
                District = NullableString(reader, 11),
                State = NullableString(reader, 12),
                Pincode = NullableString(reader, 13),
                RegisteredAt = DateTimeOffset.Parse(reader.GetString(14), CultureInfo.InvariantCulture),
                RegisteredBy = reader.GetString(15),
                UpdatedAt = reader.IsDBNull(16) ? null : DateTimeOffset.Parse(reader.GetString(16), CultureInfo.InvariantCulture),
            });
        }

        return patients;
    }

    private static void Bind(SqliteCommand command, Patient patient)
    {
        command.Parameters.AddWithValue("$patient_id", patient.PatientId);
        command.Parameters.AddWithValue("$hip_id", patient.HipId);
        command.Parameters.AddWithValue("$name", patient.Name);
        command.Parameters.AddWithValue("$gender", patient.Gender.ToString());
        command.Parameters.AddWithValue("$year_of_birth", patient.YearOfBirth);
        command.Parameters.AddWithValue("$month_of_birth", (object?)patient.MonthOfBirth ?? DBNull.Value);
        command.Parameters.AddWithValue("$day_of_birth", (object?)patient.DayOfBirth ?? DBNull.Value);
        command.Parameters.AddWithValue("$mobile", (object?)patient.Mobile ?? DBNull.Value);
        command.Parameters.AddWithValue("$mobile_digits", LastTenDigits(patient.Mobile) is { Length: > 0 } m ? m : DBNull.Value);
        command.Parameters.AddWithValue("$phr_address", (object?)patient.PhrAddress ?? DBNull.Value);
        command.Parameters.AddWithValue("$abha_number", (object?)patient.AbhaNumber ?? DBNull.Value);
        command.Parameters.AddWithValue("$abha_digits", Digits(patient.AbhaNumber) is { Length: > 0 } a ? a : DBNull.Value);
        command.Parameters.AddWithValue("$address_line", (object?)patient.AddressLine ?? DBNull.Value);
        command.Parameters.AddWithValue("$district", (object?)patient.District ?? DBNull.Value);
        command.Parameters.AddWithValue("$state", (object?)patient.State ?? DBNull.Value);
        command.Parameters.AddWithValue("$pincode", (object?)patient.Pincode ?? DBNull.Value);
        command.Parameters.AddWithValue("$registered_at", patient.RegisteredAt.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$registered_by", patient.RegisteredBy);
        command.Parameters.AddWithValue("$updated_at", patient.UpdatedAt is { } u ? u.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    internal static string Digits(string? value) => new((value ?? "").Where(char.IsAsciiDigit).ToArray());

    private static string LastTenDigits(string? value)
    {
        var digits = Digits(value);
        return digits.Length > 10 ? digits[^10..] : digits;
    }
}
