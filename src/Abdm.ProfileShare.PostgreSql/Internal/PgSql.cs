namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>The statements that take the schema's name, built once per store.</summary>
internal sealed class PgSql
{
    public PgSql(string schema)
    {
        Schema = schema;
        Channel = schema + "_changes";
        var s = schema;
        Notify = $"WITH c AS (INSERT INTO {s}.changes (payload) VALUES ($1) RETURNING seq) SELECT pg_notify('{Channel}', c.seq::text || '|' || $1) FROM c";
        Entries = $"{s}.entries";
        ShareRequests = $"{s}.share_requests";
        TokenCounters = $"{s}.token_counters";
        Correlations = $"{s}.correlations";
        Outbox = $"{s}.outbox";
        LinkingTokens = $"{s}.linking_tokens";
        Changes = $"{s}.changes";
        LinkingGuards = $"{s}.linking_guards";
        CounterService = $"{s}.counter_service";
    }

    public string Schema { get; }

    /// <summary>The LISTEN/NOTIFY channel: <c>{schema}_changes</c>.</summary>
    public string Channel { get; }

    /// <summary>Records a change (<c>$1</c>: its JSON) and NOTIFYs it.</summary>
    public string Notify { get; }

    public string Entries { get; }

    public string ShareRequests { get; }

    public string TokenCounters { get; }

    public string Correlations { get; }

    public string Outbox { get; }

    public string LinkingTokens { get; }

    public string Changes { get; }

    public string LinkingGuards { get; }

    public string CounterService { get; }
}
