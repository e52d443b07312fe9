using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>Read-modify-write of a queue entry with optimistic concurrency, retried on conflict.</summary>
internal static class EntryUpdater
{
    private const int MaxAttempts = 32;

    /// <summary>
    /// Applies <paramref name="change"/> to the current entry until the write wins. <paramref name="change"/> returns
    /// <see langword="null"/> when there is nothing to write for that state.
    /// </summary>
    /// <returns>The outcome, the entry as written (or as read when nothing was written), or null when the entry is gone.</returns>
    public static Task<(bool Written, QueueEntry? Entry)> UpdateAsync(
        IProfileShareStore store, Guid entryId, Func<QueueEntry, EntryUpdate?> change, CancellationToken cancellationToken) =>
        UpdateAsync(store, entryId, null, change, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateAsync(IProfileShareStore, Guid, Func{QueueEntry, EntryUpdate?}, CancellationToken)"/>, but the
    /// first attempt starts from <paramref name="known"/> (an entry the caller has just read or written) instead of
    /// reading it again: a store round trip saved. A stale <paramref name="known"/> costs nothing but a retry, since the
    /// write is conditional on the version; and "nothing to write" is only ever decided on an entry read from the store.
    /// </summary>
    public static async Task<(bool Written, QueueEntry? Entry)> UpdateAsync(
        IProfileShareStore store, Guid entryId, QueueEntry? known, Func<QueueEntry, EntryUpdate?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var fresh = attempt != 0 || known is null || known.Id != entryId;
            var entry = fresh ? await store.GetEntryAsync(entryId, cancellationToken).ConfigureAwait(false) : known;
            if (entry is null)
            {
                return (false, null);
            }

            var update = change(entry);
            if (update is null)
            {
                if (!fresh)
                {
                    continue;
                }

                return (false, entry);
            }

            if (await store.TryUpdateEntryAsync(update, cancellationToken).ConfigureAwait(false))
            {
                return (true, update.Entry with { Version = entry.Version + 1 });
            }
        }

        throw new InvalidOperationException($"Queue entry {entryId} kept changing under {MaxAttempts} concurrent updates.");
    }
}
