using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// Keeps the database file private to its owner (mode 0600): it holds patient profiles and linking tokens. The file is
/// created with that mode before SQLite opens it, and an existing one (with its <c>-wal</c> and <c>-shm</c> files) is
/// tightened to it at start. SQLite gives the <c>-wal</c> and <c>-shm</c> files it creates the database file's mode.
/// </summary>
/// <remarks>Nothing is done on Windows (no Unix modes; the folder's ACL applies), for a read-only connection, or for a
/// data source that is not a plain path (a <c>file:</c> URI or <c>|DataDirectory|</c>).</remarks>
internal static class SqliteFilePermissions
{
    /// <summary>Read and write for the owner only.</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The database file's full path, or <see langword="null"/> when its mode is not managed.</summary>
    public static string? ManagedPath(SqliteConnectionStringBuilder connectionString)
    {
        var source = connectionString.DataSource;
        if (OperatingSystem.IsWindows()
            || connectionString.Mode is SqliteOpenMode.Memory or SqliteOpenMode.ReadOnly
            || source.Length == 0
            || string.Equals(source, ":memory:", StringComparison.Ordinal)
            || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            || source.Contains('|', StringComparison.Ordinal))
        {
            return null;
        }

        return Path.GetFullPath(source);
    }

    /// <summary>Creates the file with mode 0600 when it is missing (and the connection may create it); otherwise
    /// tightens it and its <c>-wal</c>/<c>-shm</c> files to 0600 (logged when the process may not: not its owner).</summary>
    public static void Secure(string path, SqliteOpenMode mode, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (mode == SqliteOpenMode.ReadWriteCreate && !File.Exists(path))
        {
            try
            {
                // An empty file is an empty SQLite database; SQLite then opens it instead of creating it with the
                // process umask's mode.
                using var created = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.ReadWrite,
                    UnixCreateMode = Private,
                });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: tightened below like any existing file.
            }
            catch (DirectoryNotFoundException)
            {
                // SQLite reports the missing folder when it opens the database.
                return;
            }
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            try
            {
                if (File.Exists(file) && File.GetUnixFileMode(file) != Private)
                {
                    File.SetUnixFileMode(file, Private);
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                Log.FileModeNotTightened(logger, Path.GetFileName(file), ex);
            }
        }
    }
}
