namespace Abdm.ProfileShare.PostgreSql;

/// <summary>Which clock times outbox leases (<see cref="Storage.IProfileShareStore.LeaseOutboxItemsAsync"/>).</summary>
public enum PostgreSqlLeaseClock
{
    /// <summary>
    /// The database server's clock (<c>clock_timestamp()</c>): a lease runs from the moment PostgreSQL grants it, and an
    /// expired lease is taken over when PostgreSQL's clock says so, whatever the instances' clocks say. Instances with
    /// skewed clocks never run one item at once. The <c>now</c> an instance passes still decides which items are due.
    /// </summary>
    Database = 0,

    /// <summary>
    /// The <c>now</c> the caller passes, exactly as the store contract states (the lease expires at now + duration).
    /// For tests driven by a fake clock (the conformance suite) and for hosts whose clocks are known to agree.
    /// </summary>
    Caller = 1,
}
