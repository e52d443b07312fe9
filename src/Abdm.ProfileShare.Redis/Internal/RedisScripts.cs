namespace Abdm.ProfileShare.Redis.Internal;

/// <summary>
/// The Lua scripts that make every multi-key operation atomic. ARGV[1] is always the key prefix; keys built from
/// HIP ids, counter codes and PHR addresses are computed (escaped) in C# by <see cref="RedisKeys"/> and passed as KEYS.
/// </summary>
/// <remarks>
/// <para>Key layout (P = prefix): <c>P e:{id}</c> entry hash (<c>doc</c> JSON + fields a script may change without
/// re-encoding JSON: token, profile, wire, latest, scans, first, last, expires, ack, version; and index fields status,
/// firstUs, lastUs, expUs, hip, counter, hid; entries written before <c>first</c>/<c>firstUs</c> existed fall back to
/// the document's first scan and to <c>lastUs</c>; <c>rh:{requestId}</c> the content hash each of its share requestIds
/// was accepted with, absent for shares accepted before it existed); <c>P req:{requestId}</c> dedupe key; <c>P ereq:{id}</c> an entry's share requestIds;
/// <c>P scan:...</c>, <c>P q:...</c> sorted sets of active entries by last scan; <c>P eidx:{id}</c> the sorted sets an
/// entry is in; <c>P eexp</c> every entry by expiry; <c>P tok:...</c> token counters and <c>P toks</c> their days;
/// <c>P c:{requestId}</c> correlations and <c>P ecorr:{id}</c>; <c>P ob:{id}</c> outbox item hash, <c>P obdue</c>,
/// <c>P oblease</c>, <c>P obcreated</c> and <c>P eob:{id}</c>; <c>P lt:...</c> linking-token hashes (<c>doc</c> JSON with the encrypted token, <c>used</c>), each
/// with a time-to-live up to its expiry, and <c>P ltexp</c> their keys by expiry (for the purge); channel <c>P changes</c>.</para>
/// <para>Times are microseconds since the Unix epoch in scores and comparisons (exact in a Lua double), and
/// round-trip ("O") strings in values. Optional values are sent as <c>-</c> (none) or <c>+value</c>.</para>
/// </remarks>
internal static class RedisScripts
{
    private const string Prelude = """
        local P = ARGV[1]
        local ACTIVE = { Received = true, Waiting = true, Claimed = true }

        local function opt(value)
          if value == '-' then return nil end
          return string.sub(value, 2)
        end

        local function extend(key, ttl)
          local current = redis.call('PTTL', key)
          if current < 0 or current < ttl then redis.call('PEXPIRE', key, ttl) end
        end

        local function publish(kind, id, hip, counter, version)
          redis.call('PUBLISH', P .. 'changes', cjson.encode({ kind = kind, entryId = id, hipId = hip, counterCode = counter, version = tonumber(version) }))
        end

        local function reindex(id, active, score, ttl, keys, new)
          local eidx = P .. 'eidx:' .. id
          if not new then
            for _, key in ipairs(redis.call('SMEMBERS', eidx)) do redis.call('ZREM', key, id) end
            redis.call('DEL', eidx)
          end
          if active then
            for _, key in ipairs(keys) do
              redis.call('ZADD', key, score, id)
              extend(key, ttl)
              redis.call('SADD', eidx, key)
            end
          end
        end

        local function enqueue(itemId, entryId, doc, dueIso, dueUs, createdUs, attempts, err, owner, leaseIso, leaseUs, new)
          local key = P .. 'ob:' .. itemId
          if not new then redis.call('DEL', key) end
          redis.call('HSET', key, 'doc', doc, 'entry', entryId, 'due', dueIso, 'attempts', attempts)
          if err then redis.call('HSET', key, 'err', err) end
          if owner then
            redis.call('HSET', key, 'owner', owner, 'lease', leaseIso)
            redis.call('ZADD', P .. 'oblease', leaseUs, itemId)
          elseif not new then
            redis.call('ZREM', P .. 'oblease', itemId)
          end
          redis.call('ZADD', P .. 'obdue', dueUs, itemId)
          redis.call('ZADD', P .. 'obcreated', createdUs, itemId)
          redis.call('SADD', P .. 'eob:' .. entryId, itemId)
        end

        local function dequeue(itemId)
          local key = P .. 'ob:' .. itemId
          local entry = redis.call('HGET', key, 'entry')
          if not entry then return 0 end
          redis.call('DEL', key)
          redis.call('ZREM', P .. 'obdue', itemId)
          redis.call('ZREM', P .. 'oblease', itemId)
          redis.call('ZREM', P .. 'obcreated', itemId)
          redis.call('SREM', P .. 'eob:' .. entry, itemId)
          return 1
        end

        """;

    /// <summary>
    /// Accepts a share: dedupe, re-scan lookup, token INCR, entry write, dedupe key, acknowledgement enqueue and the
    /// change message, all in one script. The re-scan lookup takes the active entry with the latest first scan at or
    /// after the window start (a token is valid for the window from its first scan; an entry without <c>firstUs</c>,
    /// written before that field existed, counts from its <c>lastUs</c>, which becomes its <c>firstUs</c>). The set is scored by last scan, never earlier
    /// than the first, so the walk stops at the first member last scanned before the window.
    /// KEYS: 1 dedupe key, 2 re-scan set, 3 HIP queue set, 4 counter queue set, 5 token counter.
    /// ARGV: 1 prefix, 2 share requestId, 3 received (us), 4 re-scan window start (us), 5 new entry id, 6 new entry doc,
    /// 7 profile JSON, 8 wire version, 9 received (O), 10 expires (O), 11 expires (us), 12 TTL (ms), 13 counter TTL (ms),
    /// 14 service day number, 15 acknowledgement item id, 16 acknowledgement item doc, 17 HIP id, 18 counter code,
    /// 19 folded PHR address (PhrAddress.Fold), 20 content hash (opt).
    /// Returns { outcome, entry hash as a flat list }, or for a created entry { 'Created', token number } (the caller
    /// has every other field of the new entry); a duplicate adds a third element, 1 when the requestId was accepted
    /// with another content hash (both known), else 0.
    /// The content hash lives in the entry's hash (field <c>rh:{requestId}</c>), not in the dedupe key, so the dedupe
    /// key keeps the value an earlier version reads, and the hash goes wherever the entry goes (TTL, purge).
    /// </summary>
    public const string AcceptShare = Prelude + """
        local hash = opt(ARGV[20])
        local existing = redis.call('GET', KEYS[1])
        if existing then
          local stored = redis.call('HGETALL', P .. 'e:' .. existing)
          if #stored > 0 then
            local storedHash = redis.call('HGET', P .. 'e:' .. existing, 'rh:' .. ARGV[2])
            local conflict = 0
            if hash and storedHash and storedHash ~= hash then conflict = 1 end
            return { 'Duplicate', stored, conflict }
          end
        end

        local received = tonumber(ARGV[3])
        local since = tonumber(ARGV[4])
        local id = nil
        local idFirst = nil
        for _, candidate in ipairs(redis.call('ZREVRANGE', KEYS[2], 0, -1)) do
          local f = redis.call('HMGET', P .. 'e:' .. candidate, 'status', 'expUs', 'lastUs', 'firstUs')
          if not f[1] then
            redis.call('ZREM', KEYS[2], candidate)
          elseif tonumber(f[3]) < since then
            break
          elseif ACTIVE[f[1]] and tonumber(f[2]) > received then
            local first = tonumber(f[4] or f[3])
            if first >= since and (not idFirst or first > idFirst) then
              id = candidate
              idFirst = first
            end
          end
        end

        local ttl = tonumber(ARGV[12])
        local outcome
        local kind
        local token
        if id then
          local e = P .. 'e:' .. id
          -- An entry written before firstUs existed keeps the window start it matched on (its previous last scan), so
          -- its re-scans stop extending the token from now on; its 'first' time stays the document's.
          if redis.call('HEXISTS', e, 'firstUs') == 0 then redis.call('HSET', e, 'firstUs', idFirst) end
          redis.call('HSET', e, 'profile', ARGV[7], 'wire', ARGV[8], 'latest', ARGV[2], 'last', ARGV[9], 'lastUs', ARGV[3],
            'expires', ARGV[10], 'expUs', ARGV[11], 'ack', 'Pending', 'hid', ARGV[19])
          redis.call('HINCRBY', e, 'scans', 1)
          redis.call('HINCRBY', e, 'version', 1)
          outcome = 'Rescanned'
          kind = 'Updated'
        else
          id = ARGV[5]
          token = redis.call('INCR', KEYS[5])
          if token == 1 then
            redis.call('PEXPIRE', KEYS[5], ARGV[13])
            redis.call('ZADD', P .. 'toks', ARGV[14], KEYS[5])
          end
          redis.call('HSET', P .. 'e:' .. id, 'doc', ARGV[6], 'token', token, 'profile', ARGV[7], 'wire', ARGV[8], 'latest', ARGV[2],
            'scans', 1, 'first', ARGV[9], 'firstUs', ARGV[3], 'last', ARGV[9], 'lastUs', ARGV[3], 'expires', ARGV[10], 'expUs', ARGV[11], 'ack', 'Pending', 'version', 1,
            'status', 'Received', 'hip', ARGV[17], 'counter', ARGV[18], 'hid', ARGV[19])
          outcome = 'Created'
          kind = 'Added'
        end

        local e = P .. 'e:' .. id
        if hash then redis.call('HSET', e, 'rh:' .. ARGV[2], hash) end
        redis.call('PEXPIRE', e, ttl)
        redis.call('ZADD', P .. 'eexp', ARGV[11], id)
        -- A created entry has a new id (no index, share requestId or outbox item of its own yet): nothing to clear.
        local new = token ~= nil
        reindex(id, true, ARGV[3], ttl, { KEYS[2], KEYS[3], KEYS[4] }, new)

        local ereq = P .. 'ereq:' .. id
        redis.call('SET', KEYS[1], id, 'PX', ttl)
        redis.call('SADD', ereq, ARGV[2])
        if not new then
          for _, request in ipairs(redis.call('SMEMBERS', ereq)) do redis.call('PEXPIRE', P .. 'req:' .. request, ttl) end
        end
        redis.call('PEXPIRE', ereq, ttl)

        enqueue(ARGV[15], id, ARGV[16], ARGV[9], ARGV[3], ARGV[3], 0, nil, nil, nil, nil, new)
        if new then
          publish(kind, id, ARGV[17], ARGV[18], 1)
          return { outcome, token }
        end
        publish(kind, id, ARGV[17], ARGV[18], redis.call('HGET', e, 'version'))
        return { outcome, redis.call('HGETALL', e) }
        """;

    /// <summary>
    /// Writes an entry if its version matches, with its outbox items, correlations, completed item and linking token.
    /// KEYS: 1 re-scan set, 2 HIP queue set, 3 counter queue set, 4 linking-token key (or the dedupe placeholder).
    /// ARGV: 1 prefix, 2 entry id, 3 expected version, 4 doc, 5 token, 6 profile, 7 wire, 8 latest, 9 scans, 10 last (O),
    /// 11 last (us), 12 expires (O), 13 expires (us), 14 ack, 15 new version, 16 status, 17 HIP id, 18 counter code,
    /// 19 upper-cased PHR address, 20 active (1/0), 21 TTL (ms), 22 completed item id (opt), 23 has linking token (1/0),
    /// 24 linking doc, 25 linking used (opt), 26 item count, 27 correlation count, 28 first (O), 29 first (us), 30 linking
    /// time-to-live (ms, 0 for none), 31 linking expiry (us, or - for none), then 11 values per item (id, entry id, doc, due (O), due (us), created (us), attempts, error (opt), owner (opt), lease (O,
    /// opt), lease (us)), then 3 per correlation (requestId, entry id, doc).
    /// Returns 1 when written, 0 when the entry is missing or its version moved on.
    /// </summary>
    public const string TryUpdate = Prelude + """
        local id = ARGV[2]
        local e = P .. 'e:' .. id
        local f = redis.call('HMGET', e, 'version', 'status', 'hip', 'counter', 'hid', 'lastUs', 'expUs')
        if not f[1] or tonumber(f[1]) ~= tonumber(ARGV[3]) then return 0 end
        local wasActive = ACTIVE[f[2]] == true
        local active = ARGV[20] == '1'
        local ttl = tonumber(ARGV[21])
        -- Active before and after, in the same sets with the same score and expiry (most updates: a decision, an
        -- acknowledgement, a linking step): the indexes and the sets' TTLs stand as the last indexing wrote them.
        local indexed = wasActive and active and f[3] == ARGV[17] and f[4] == ARGV[18] and f[5] == ARGV[19]
          and f[6] == ARGV[11] and f[7] == ARGV[13]

        redis.call('HSET', e, 'doc', ARGV[4], 'token', ARGV[5], 'profile', ARGV[6], 'wire', ARGV[7], 'latest', ARGV[8], 'scans', ARGV[9],
          'last', ARGV[10], 'lastUs', ARGV[11], 'expires', ARGV[12], 'expUs', ARGV[13], 'ack', ARGV[14], 'version', ARGV[15],
          'status', ARGV[16], 'hip', ARGV[17], 'counter', ARGV[18], 'hid', ARGV[19], 'first', ARGV[28], 'firstUs', ARGV[29])
        extend(e, ttl)
        if not indexed then
          redis.call('ZADD', P .. 'eexp', ARGV[13], id)
          reindex(id, active, ARGV[11], ttl, { KEYS[1], KEYS[2], KEYS[3] })
        end

        local items = tonumber(ARGV[26])
        local correlations = tonumber(ARGV[27])
        local at = 32
        for _ = 1, items do
          local owner = opt(ARGV[at + 8])
          enqueue(ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4], ARGV[at + 5], ARGV[at + 6], opt(ARGV[at + 7]),
            owner, opt(ARGV[at + 9]), ARGV[at + 10])
          at = at + 11
        end
        for _ = 1, correlations do
          redis.call('SET', P .. 'c:' .. ARGV[at], ARGV[at + 2], 'PX', ttl)
          redis.call('SADD', P .. 'ecorr:' .. ARGV[at + 1], ARGV[at])
          at = at + 3
        end

        local completed = opt(ARGV[22])
        if completed then dequeue(completed) end

        if ARGV[23] == '1' then
          redis.call('DEL', KEYS[4])
          redis.call('HSET', KEYS[4], 'doc', ARGV[24])
          local used = opt(ARGV[25])
          if used then redis.call('HSET', KEYS[4], 'used', used) end
          -- Kept until it expires: Redis drops the key itself, and the purge by the workflow's clock (P ltexp).
          if ARGV[31] == '-' then
            redis.call('ZREM', P .. 'ltexp', KEYS[4])
          else
            redis.call('PEXPIRE', KEYS[4], ARGV[30])
            redis.call('ZADD', P .. 'ltexp', ARGV[31], KEYS[4])
          end
        end

        local kind = 'Updated'
        if wasActive and not active then kind = 'Removed' end
        publish(kind, id, ARGV[17], ARGV[18], ARGV[15])
        return 1
        """;

    /// <summary>
    /// Reads the entries of a queue set (C# filters and sorts them).
    /// KEYS: 1 queue set. ARGV: 1 prefix. Returns a list of entry hashes as flat lists.
    /// </summary>
    public const string ListEntries = Prelude + """
        local result = {}
        for _, id in ipairs(redis.call('ZREVRANGE', KEYS[1], 0, -1)) do
          local stored = redis.call('HGETALL', P .. 'e:' .. id)
          if #stored > 0 then result[#result + 1] = stored end
        end
        return result
        """;

    /// <summary>
    /// Leases due, unleased (or lease-expired) items, earliest due first.
    /// ARGV: 1 prefix, 2 owner, 3 now (us), 4 lease expiry (O), 5 lease expiry (us), 6 max items.
    /// Returns a list of item hashes as flat lists.
    /// </summary>
    public const string Lease = Prelude + """
        local now = tonumber(ARGV[3])
        local max = tonumber(ARGV[6])
        local result = {}
        -- A leased item's score in obdue is its lease expiry, so every member scored at or before now is leasable.
        local due = redis.call('ZRANGEBYSCORE', P .. 'obdue', '-inf', ARGV[3], 'LIMIT', 0, max)
        for _, id in ipairs(due) do
          local lease = redis.call('ZSCORE', P .. 'oblease', id)
          if not lease or tonumber(lease) <= now then
            local key = P .. 'ob:' .. id
            redis.call('HSET', key, 'owner', ARGV[2], 'lease', ARGV[4])
            redis.call('ZADD', P .. 'oblease', ARGV[5], id)
            redis.call('ZADD', P .. 'obdue', ARGV[5], id)
            result[#result + 1] = redis.call('HGETALL', key)
          end
        end
        return result
        """;

    /// <summary>
    /// Releases an item for a later attempt if the owner still holds it.
    /// ARGV: 1 prefix, 2 item id, 3 owner, 4 due (O), 5 due (us), 6 attempts, 7 error (opt). Returns 1 or 0.
    /// </summary>
    public const string Reschedule = Prelude + """
        local id = ARGV[2]
        local key = P .. 'ob:' .. id
        local owner = redis.call('HGET', key, 'owner')
        if not owner or owner ~= ARGV[3] then return 0 end
        redis.call('HSET', key, 'due', ARGV[4], 'attempts', ARGV[6])
        local err = opt(ARGV[7])
        if err then redis.call('HSET', key, 'err', err) else redis.call('HDEL', key, 'err') end
        redis.call('HDEL', key, 'owner', 'lease')
        redis.call('ZREM', P .. 'oblease', id)
        redis.call('ZADD', P .. 'obdue', ARGV[5], id)
        return 1
        """;

    /// <summary>Removes an item. ARGV: 1 prefix, 2 item id. Returns 1 or 0.</summary>
    public const string Complete = Prelude + """
        return dequeue(ARGV[2])
        """;

    /// <summary>Counts the outbox. ARGV: 1 prefix. Returns { count, oldest item doc, soonest due (O) } or { 0 }.</summary>
    public const string Statistics = Prelude + """
        local count = redis.call('ZCARD', P .. 'obcreated')
        if count == 0 then return { 0 } end
        local oldest = redis.call('ZRANGE', P .. 'obcreated', 0, 0)[1]
        local soonest = redis.call('ZRANGE', P .. 'obdue', 0, 0, 'WITHSCORES')
        return { count, redis.call('HGET', P .. 'ob:' .. oldest, 'doc'), soonest[2] }
        """;

    /// <summary>Marks a linking token used once. KEYS: 1 linking-token key. ARGV: 1 prefix, 2 used (O). Returns 1 or 0.</summary>
    public const string MarkLinkingTokenUsed = Prelude + """
        if redis.call('HEXISTS', KEYS[1], 'doc') == 0 or redis.call('HEXISTS', KEYS[1], 'used') == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'used', ARGV[2])
        return 1
        """;

    /// <summary>
    /// Deletes up to a batch of entries that expired before the cutoff with everything that belongs to them, and
    /// (after the last batch) token counters of days before the cutoff's day and up to a batch of linking tokens that
    /// expired before the linking-token cutoff.
    /// ARGV: 1 prefix, 2 cutoff (us, exclusive), 3 cutoff day number (exclusive), 4 batch size, 5 linking-token cutoff
    /// (us, exclusive).
    /// Returns { entries deleted, 1 when more may remain }.
    /// </summary>
    public const string Purge = Prelude + """
        local batch = tonumber(ARGV[4])
        local ids = redis.call('ZRANGEBYSCORE', P .. 'eexp', '-inf', '(' .. ARGV[2], 'LIMIT', 0, batch)
        local purged = 0
        for _, id in ipairs(ids) do
          purged = purged + redis.call('DEL', P .. 'e:' .. id)
          reindex(id, false, 0, 0, {})
          local ereq = P .. 'ereq:' .. id
          for _, request in ipairs(redis.call('SMEMBERS', ereq)) do redis.call('DEL', P .. 'req:' .. request) end
          redis.call('DEL', ereq)
          local ecorr = P .. 'ecorr:' .. id
          for _, request in ipairs(redis.call('SMEMBERS', ecorr)) do redis.call('DEL', P .. 'c:' .. request) end
          redis.call('DEL', ecorr)
          local eob = P .. 'eob:' .. id
          for _, item in ipairs(redis.call('SMEMBERS', eob)) do dequeue(item) end
          redis.call('DEL', eob)
          redis.call('ZREM', P .. 'eexp', id)
        end
        local more = 0
        if #ids == batch then more = 1 end
        if more == 0 then
          for _, key in ipairs(redis.call('ZRANGEBYSCORE', P .. 'toks', '-inf', '(' .. ARGV[3])) do redis.call('DEL', key) end
          redis.call('ZREMRANGEBYSCORE', P .. 'toks', '-inf', '(' .. ARGV[3])
          local tokens = redis.call('ZRANGEBYSCORE', P .. 'ltexp', '-inf', '(' .. ARGV[5], 'LIMIT', 0, batch)
          for _, key in ipairs(tokens) do
            redis.call('DEL', key)
            redis.call('ZREM', P .. 'ltexp', key)
          end
          if #tokens == batch then more = 1 end
        end
        return { purged, more }
        """;
}
