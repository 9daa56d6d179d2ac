package io.nearcache.internal.l2;

import com.google.common.collect.Lists;
import io.nearcache.CacheSpec;
import io.nearcache.internal.invalidation.Announcer;
import io.nearcache.internal.invalidation.InvalidationLog;
import io.nearcache.internal.invalidation.InvalidationMessage.Kind;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.resilience.Breakers;
import io.nearcache.internal.resilience.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.SetParams;

/**
 * One cache's L2: {@link Frame}s in Redis under the cache's current generation, and the load
 * leases that make one instance of the fleet load a missing key while the others wait. Every
 * method may throw {@link JedisException}; callers decide whether that reaches their caller.
 *
 * <p>The script that makes a mutation also numbers it in the key's slot group, records it in the
 * group's invalidation log and publishes it (see {@link Announcer} and {@link KeyLayout}): the
 * change and its announcement are one atomic step, so a writer that dies after its write leaves no
 * peer uninformed, and an instance that missed the message finds it in the log by its number.
 *
 * <p>Leases follow "Scaling Memcache at Facebook" (NSDI 2013): {@link #getOrLeaseAll} takes a lease
 * (with a token no other load uses) only when the value is absent; {@link #setAllIfLeased} writes
 * the loaded value only if that lease still stands; {@link #set} and {@link #delete} drop the lease
 * with the value, so a load that began before a write or invalidation cannot put its stale result
 * in Redis after it. A cache without a {@code staleIfError} grace keeps a key's lease in its value
 * key, as a {@link Frame#lease lease frame}: taking it is one {@code SET NX PX GET}, which answers
 * the value if there is one, and the conditional write replaces it; a write overwrites it and an
 * invalidation deletes it with no extra command. A cache with a grace must keep an expired value
 * readable while its key loads, so its leases, like a refresh's, have a key of their own beside
 * the value's. An entry's value and lease keys share its group's hash tag; the reads and leases of
 * many keys go as one command per batch of keys, which on a Cluster holds keys of one slot group,
 * so every command also runs there.
 *
 * <p>The generation is read from Redis once and then followed through invalidation messages;
 * {@link #forgetGeneration()} makes the next call read it again, which is what an instance does
 * when it may have missed a message. While it is unknown and Redis cannot be read, no L2 call runs:
 * reading under a stale generation could serve values that {@code invalidateAll} removed.
 */
public final class RemoteStore {
  private static final long UNKNOWN = -1;

  /**
   * For each value key of a cache without a grace: its frame if it holds a value; else, if it is
   * empty, the lease frame ARGV[1] put there to live ARGV[2] ms, answering 1; or 0 if it holds
   * another's lease. What {@code SET NX PX GET} does for one key, which Redis 6.2 lacks.
   */
  private static final Script GET_OR_LEASE_IN_VALUE = new Script("""
      local replies = {}
      for i = 1, #KEYS do
        local value = redis.call('GET', KEYS[i])
        if not value then
          redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
          replies[i] = 1
        elseif string.byte(value) == 3 then
          replies[i] = 0
        else
          replies[i] = value
        end
      end
      return replies""");

  /**
   * For each entry of a cache with a grace (KEYS: value, lease, value, lease...): its value frame if
   * it has more than the grace ARGV[3] left to live; else takes its lease key and answers 1, or
   * {the expired frame} while it is in its grace; or 0 if another holds the lease, in its lease key
   * or (taken by a node that runs the cache without a grace) in its value key.
   */
  private static final Script GET_OR_LEASE = new Script("""
      local grace = tonumber(ARGV[3])
      local replies = {}
      for i = 1, #KEYS, 2 do
        local value = redis.call('GET', KEYS[i])
        if value and string.byte(value) == 3 then
          replies[#replies + 1] = 0
        elseif value and redis.call('PTTL', KEYS[i]) > grace then
          replies[#replies + 1] = value
        elseif redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          replies[#replies + 1] = value and {value} or 1
        else
          replies[#replies + 1] = 0
        end
      end
      return replies""");

  /** For each value key, its frame if it has more than the grace ARGV[1] left to live, else 0. */
  private static final Script GET_FRESH = new Script("""
      local replies = {}
      for i = 1, #KEYS do
        local value = redis.call('GET', KEYS[i])
        if value and redis.call('PTTL', KEYS[i]) > tonumber(ARGV[1]) then
          replies[i] = value
        else
          replies[i] = 0
        end
      end
      return replies""");

  /**
   * Takes the lease for a refresh (1), unless the value was written less than refreshAfter ago: it
   * has more than ARGV[3] left to live (2), or another holds the lease (0).
   */
  private static final Script LEASE_FOR_REFRESH = new Script("""
      if redis.call('PTTL', KEYS[1]) > tonumber(ARGV[3]) then return 2 end
      if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
      return 0""");

  /** What {@link #leaseForRefresh} found. */
  public enum RefreshLease {
    /** The caller holds the lease: it refreshes. */
    TAKEN,
    /** Another instance holds it: its write will be announced. */
    HELD,
    /** The value in Redis is newer than the caller's: another refreshed it, or reloaded it. */
    FRESHER
  }

  /** A refresh's write: as a write, but only if the refresh's lease still stands. */
  private static final Script SET_IF_LEASED_AND_ANNOUNCE = new Script(Announcer.LUA + """
      if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
      redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
      redis.call('DEL', KEYS[2])
      announce(tonumber(ARGV[4]), 'c', ARGV[5], 'k', ARGV[6])
      return 1""");

  /**
   * For each value key (ARGV: the lease frame, then frame and TTL of each): stores the frame in
   * place of the lease if it still stands; answers 1 if stored, else 0.
   */
  private static final Script SET_IF_LEASED_IN_VALUE = new Script("""
      local replies = {}
      for i = 1, #KEYS do
        if redis.call('GET', KEYS[i]) == ARGV[1] then
          redis.call('SET', KEYS[i], ARGV[2 * i], 'PX', ARGV[2 * i + 1])
          replies[i] = 1
        else
          replies[i] = 0
        end
      end
      return replies""");

  /**
   * For each entry (KEYS: value, lease...; ARGV: the token, then frame and TTL of each): stores
   * the frame if the token's lease still stands, and drops the lease; answers 1 if stored, else 0.
   */
  private static final Script SET_IF_LEASED = new Script("""
      local replies = {}
      for i = 1, #KEYS, 2 do
        if redis.call('GET', KEYS[i + 1]) == ARGV[1] then
          redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[i + 2])
          redis.call('DEL', KEYS[i + 1])
          replies[#replies + 1] = 1
        else
          replies[#replies + 1] = 0
        end
      end
      return replies""");

  /**
   * Deletes each of KEYS that holds ARGV[1]: a lease of this load (its token in a lease key, its
   * lease frame in a value key), or a value read as stale.
   */
  private static final Script DELETE_IF_HOLDS = new Script("""
      for i = 1, #KEYS do
        if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
      end
      return 0""");

  /** A write: the new value, the lease dropped, the change numbered, logged and announced. */
  private static final Script SET_AND_ANNOUNCE = new Script(Announcer.LUA + """
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      redis.call('DEL', KEYS[2])
      return announce(tonumber(ARGV[3]), 'c', ARGV[4], 'k', ARGV[5])""");

  /** An invalidation: value and lease deleted, the change numbered, logged and announced. */
  private static final Script DELETE_AND_ANNOUNCE = new Script(Announcer.LUA + """
      redis.call('DEL', KEYS[1], KEYS[2])
      return announce(tonumber(ARGV[1]), 'c', ARGV[2], 'k', ARGV[3])""");

  /** A whole-cache invalidation: a new generation, numbered, logged and announced in group 0. */
  private static final Script BUMP_AND_ANNOUNCE = new Script(Announcer.LUA + """
      local generation = redis.call('INCR', KEYS[1])
      announce(generation, 'c', ARGV[1], 'g', generation)
      return generation""");

  /**
   * After a failover that may have lost writes: a new generation, above both the stored one and
   * the caller's (the loss may have rolled the generation back too), numbered, logged and
   * announced in group 0; unless this loss was healed already, which leaves the generation as it
   * is. Either way returns the generation. The set of healed losses lives a day.
   */
  private static final Script BUMP_ONCE_AND_ANNOUNCE = new Script(Announcer.LUA + """
      local stored = tonumber(redis.call('GET', KEYS[1]) or '0')
      if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return stored end
      redis.call('PEXPIRE', KEYS[2], 86400000)
      local generation = math.max(stored, tonumber(ARGV[2])) + 1
      redis.call('SET', KEYS[1], generation)
      announce(generation, 'c', ARGV[3], 'g', generation)
      return generation""");

  /**
   * A tag invalidation: a new tag epoch, each tag's version set to it (kept as long as a value
   * loaded before it can live), numbered, logged and announced in group 0. Returns the epoch.
   */
  private static final Script TAG_AND_ANNOUNCE = new Script(Announcer.LUA + """
      local epoch = redis.call('INCR', KEYS[1])
      for i = 2, tonumber(ARGV[1]) + 1 do
        redis.call('SET', KEYS[i], epoch, 'PX', ARGV[2])
      end
      announce(epoch, 'c', ARGV[3], 'e', epoch, 't', ARGV[4])
      return epoch""");

  /** What {@link #getOrLeaseAll} found for a key. */
  public sealed interface Lookup {}

  /** The key's value frame. */
  public record Found(byte[] frame) implements Lookup {}

  /**
   * No fresh value; the caller now holds the lease.
   *
   * @param expired the frame that expired within the cache's {@code staleIfError} grace, or
   *     {@code null}: what may be served if the load fails
   */
  public record Leased(byte[] expired) implements Lookup {}

  /** No value; another holds the lease. */
  public record HeldByOther() implements Lookup {}

  private static final Leased LEASED = new Leased(null);
  private static final HeldByOther HELD = new HeldByOther();
  /** The most keys one command of a batch carries (see {@link #batch}). */
  private static final int MAX_BATCH = 100;

  private final UnifiedJedis jedis;
  private final boolean oneServer;
  private final Breakers breakers;
  private final Announcer announcer;
  private final KeyLayout layout;
  private final String cacheName;
  private final byte[] cache;
  private final byte[] ttlMillis;
  private final byte[] nullTtlMillis;
  private final byte[] leaseMillis;
  private final long leaseTimeoutMillis;
  private final byte[] graceMillis;
  private final boolean graced;
  private final boolean setNxGet;
  private final byte[] refreshedWithinMillis;
  private final AtomicLong generation = new AtomicLong(UNKNOWN);

  /**
   * Creates the L2 of one cache as {@code spec} says: values live {@code remoteTtl}, "no value"
   * frames {@code nullTtl}, both {@code staleIfError} longer, during which they are expired but
   * still read by a load that may fail; leases live {@code leaseTimeout}.
   *
   * @param oneServer whether one server holds every key (not a Cluster): then one command may
   *     touch keys of different slot groups (see {@link
   *     io.nearcache.internal.redis.RedisDeployment#spansGroups()})
   * @param setNxGet whether the servers take {@code SET} with both {@code NX} and {@code GET}
   *     (Redis 7.0 and later); if not, a single key's lease is taken by a script, as many keys' are
   */
  public RemoteStore(UnifiedJedis jedis, boolean oneServer, boolean setNxGet, Breakers breakers,
      Announcer announcer, String cache, KeyLayout layout, CacheSpec spec) {
    this.jedis = jedis;
    this.oneServer = oneServer;
    this.setNxGet = setNxGet;
    this.breakers = breakers;
    this.announcer = announcer;
    this.cacheName = cache;
    this.cache = cache.getBytes(StandardCharsets.UTF_8);
    this.layout = layout;
    Duration grace = spec.staleIfError();
    this.ttlMillis = millis(spec.remoteTtl().plus(grace));
    this.nullTtlMillis = millis(spec.nullTtl().plus(grace));
    this.leaseMillis = millis(spec.leaseTimeout());
    this.leaseTimeoutMillis = spec.leaseTimeout().toMillis();
    this.graceMillis = millis(grace);
    this.graced = !grace.isZero();
    this.refreshedWithinMillis =
        millis(spec.remoteTtl().plus(grace).minus(spec.refreshAfter()));
  }

  /**
   * The frame of {@code key}, or {@code null}, for a read that takes no lease. A value past its
   * TTL but within its {@code staleIfError} grace is {@code null} here.
   */
  public byte[] get(String key) {
    return getAll(List.of(key)).get(0);
  }

  /**
   * The frame of each key, {@code null} where absent, leased (being loaded) or expired within its
   * grace: one {@code GET} for one key, else one {@code MGET} (with a grace, one script) per batch
   * of keys, one round trip per server.
   */
  public List<byte[]> getAll(List<String> keys) {
    List<Object> replies = batch(keys, graced
        ? scripted(GET_FRESH, this::valueKeys, batch -> List.of(graceMillis))
        : reads(this::valueKeys));
    return replies.stream()
        .map(reply -> reply instanceof byte[] frame && !Frame.isLease(frame) ? frame : null)
        .toList();
  }

  /**
   * For each key, its value frame if there is one, else its lease taken for {@code token}: one
   * script per batch of keys, one round trip per server; for one key of a cache without a grace,
   * on Redis 7.0 or later, one {@code SET NX PX GET} (see {@link #getOrLease}).
   */
  public List<Lookup> getOrLeaseAll(List<String> keys, byte[] token) {
    if (!graced) {
      byte[] lease = leaseHeld(token);
      if (keys.size() == 1 && setNxGet) {
        return List.of(getOrLease(keys.get(0), lease));
      }
      List<byte[]> args = List.of(lease, leaseMillis);
      return batch(keys, scripted(GET_OR_LEASE_IN_VALUE, this::valueKeys, batch -> args)).stream()
          .map(RemoteStore::lookup).toList();
    }
    List<byte[]> args = List.of(token, leaseMillis, graceMillis);
    return batch(keys, scripted(GET_OR_LEASE, this::entryKeys, batch -> args)).stream()
        .map(RemoteStore::lookup).toList();
  }

  /**
   * One key's lookup for a cache without a grace, in one command that costs Redis what a plain
   * {@code SET} does (on Redis 8.0.2 the script that did this took 6.0 to 6.3 us of {@code
   * commandstats} time): {@code SET NX PX GET} puts {@code lease} in the empty value key, or
   * answers what it holds, a value or another's lease.
   */
  private Lookup getOrLease(String key, byte[] lease) {
    return breakers.of(layout.groupOf(key)).call(() -> {
      byte[] held = jedis.setGet(layout.valueKey(knownGeneration(), key), lease,
          SetParams.setParams().nx().px(leaseTimeoutMillis));
      return held == null ? LEASED : Frame.isLease(held) ? HELD : new Found(held);
    });
  }

  /**
   * Stores each frame if the lease of {@code token} on its key still stands, in its place (or,
   * with a grace, dropping the lease's own key): one script per batch of keys, one round trip per
   * server. A value lives the remote TTL, "no value" the null TTL.
   *
   * @return whether each was stored; {@code false} where a write, an invalidation or the lease's
   *     expiry came first
   */
  public List<Boolean> setAllIfLeased(Map<String, byte[]> frames, byte[] token) {
    BatchCommand write = graced
        ? scripted(SET_IF_LEASED, this::entryKeys, batch -> writeArgs(token, frames, batch))
        : scripted(SET_IF_LEASED_IN_VALUE, this::valueKeys,
            batch -> writeArgs(leaseHeld(token), frames, batch));
    return batch(frames.keySet(), write).stream().map(Long.valueOf(1)::equals).toList();
  }

  /**
   * What the key holding a lease of {@code token} holds: the token itself in a lease key (a cache
   * with a grace), its lease frame in a value key (without).
   */
  private byte[] leaseHeld(byte[] token) {
    return graced ? token : Frame.lease(token);
  }

  /** A conditional write's arguments: what the lease holds, then each key's frame and TTL. */
  private List<byte[]> writeArgs(byte[] lease, Map<String, byte[]> frames, List<String> batch) {
    List<byte[]> args = new ArrayList<>(1 + 2 * batch.size());
    args.add(lease);
    for (String key : batch) {
      byte[] frame = frames.get(key);
      args.add(frame);
      args.add(Frame.isNoValue(frame) ? nullTtlMillis : ttlMillis);
    }
    return args;
  }

  /**
   * Drops the leases of {@code token} on {@code keys} that still stand: one script per batch of
   * keys, one round trip per server.
   */
  public void releaseAll(Collection<String> keys, byte[] token) {
    List<byte[]> held = List.of(leaseHeld(token));
    batch(keys, scripted(DELETE_IF_HOLDS, (gen, batch) -> keysOf(batch,
        key -> graced ? layout.leaseKey(gen, key) : layout.valueKey(gen, key)), batch -> held));
  }

  /**
   * Deletes the value of {@code key} if it is still {@code frame}, announcing nothing: for a value
   * no reader may use any more (its tags were invalidated), so that the next lookup can lease it.
   */
  public void deleteIfHolds(String key, byte[] frame) {
    breakers.of(layout.groupOf(key)).call(() -> DELETE_IF_HOLDS.run(jedis,
        List.of(layout.valueKey(knownGeneration(), key)), List.of(frame)));
  }

  /**
   * Stores {@code frame} under {@code key} with the cache's remote TTL, dropping any lease, and
   * numbers, logs and announces the change, in one atomic step.
   */
  public void set(String key, byte[] frame) {
    int group = layout.groupOf(key);
    breakers.of(group).call(() -> {
      long gen = knownGeneration();
      return SET_AND_ANNOUNCE.run(jedis, changeKeys(gen, group, key), changeArgs(group, key,
          List.of(frame, ttlMillis, decimal(gen), cache, KeyLayout.utf8(key))));
    });
  }

  /**
   * Takes the lease of {@code key} for a refresh ahead of its expiry, unless another instance holds
   * it or the value in Redis was written less than {@code refreshAfter} ago (another refreshed it,
   * or loaded it after it expired).
   *
   * @return whether the caller now holds the lease, and if not why
   */
  public RefreshLease leaseForRefresh(String key, byte[] token) {
    Object reply = breakers.of(layout.groupOf(key)).call(() -> LEASE_FOR_REFRESH.run(jedis,
        entryKeys(knownGeneration(), key), List.of(token, leaseMillis, refreshedWithinMillis)));
    return Long.valueOf(1).equals(reply) ? RefreshLease.TAKEN
        : Long.valueOf(2).equals(reply) ? RefreshLease.FRESHER : RefreshLease.HELD;
  }

  /**
   * A refresh's write: stores {@code frame} as {@link #set} does, announced, but only if the lease
   * of {@code token} still stands, so that a write or invalidation that came during the refresh
   * wins.
   *
   * @return whether it was stored
   */
  public boolean setIfLeasedAndAnnounce(String key, byte[] frame, byte[] token) {
    int group = layout.groupOf(key);
    return breakers.of(group).call(() -> {
      long gen = knownGeneration();
      return Long.valueOf(1).equals(SET_IF_LEASED_AND_ANNOUNCE.run(jedis,
          changeKeys(gen, group, key), changeArgs(group, key,
              List.of(token, frame, Frame.isNoValue(frame) ? nullTtlMillis : ttlMillis,
                  decimal(gen), cache, KeyLayout.utf8(key)))));
    });
  }

  /** Deletes {@code key}'s value and lease and numbers, logs and announces it, atomically. */
  public void delete(String key) {
    int group = layout.groupOf(key);
    breakers.of(group).call(() -> {
      long gen = knownGeneration();
      return DELETE_AND_ANNOUNCE.run(jedis, changeKeys(gen, group, key), changeArgs(group, key,
          List.of(decimal(gen), cache, KeyLayout.utf8(key))));
    });
  }

  /**
   * Moves the cache to a new generation, making every current value unreachable, and numbers,
   * logs and announces it in group 0, atomically.
   *
   * @return the new generation
   */
  public long bumpGeneration() {
    long next = breakers.of(0).call(() -> (Long) BUMP_AND_ANNOUNCE.run(jedis,
        Announcer.concat(List.of(layout.generationKey()), announcer.keys(0)),
        Announcer.concat(List.of(cache),
            announcer.args(Kind.WHOLE_CACHE, 0, cacheName, List.of()))));
    advanceGeneration(next);
    return next;
  }

  /**
   * Moves the cache to a new generation after {@code loss}, once across the fleet: see {@link
   * io.nearcache.internal.DefaultNearCache}'s {@code healAfterLoss}.
   *
   * @return the cache's generation now
   */
  public long bumpGenerationOnce(String loss) {
    long known = generation.get();
    long now = breakers.of(0).call(() -> (Long) BUMP_ONCE_AND_ANNOUNCE.run(jedis,
        Announcer.concat(List.of(layout.generationKey(), layout.healedKey()), announcer.keys(0)),
        Announcer.concat(List.of(KeyLayout.utf8(loss), decimal(known), cache),
            announcer.args(Kind.WHOLE_CACHE, 0, cacheName, List.of()))));
    advanceGeneration(now);
    return now;
  }

  /**
   * Invalidates every entry carrying any of {@code tags}: moves the cache to a new tag epoch and
   * records it as each tag's version, and numbers, logs and announces it in group 0, atomically.
   * The versions live as long as a value loaded before them can ({@code tagTtl}).
   *
   * @return the new tag epoch
   */
  public long invalidateTags(List<String> tags, Duration tagTtl) {
    List<byte[]> keys = new ArrayList<>(tags.size() + 3);
    keys.add(layout.tagEpochKey());
    tags.forEach(tag -> keys.add(layout.tagKey(tag)));
    byte[] joined = KeyLayout.utf8(
        String.join(String.valueOf(InvalidationLog.TAG_SEPARATOR), tags));
    return breakers.of(0).call(() -> (Long) TAG_AND_ANNOUNCE.run(jedis,
        Announcer.concat(keys, announcer.keys(0)),
        Announcer.concat(List.of(decimal(tags.size()), millis(tagTtl), cache, joined),
            announcer.args(Kind.TAGS, 0, cacheName, tags))));
  }

  /**
   * The keys of {@code frames} whose frame, read as expired within its {@code staleIfError} grace,
   * Redis still holds now: under the cache's current generation, byte for byte, with none of its
   * tags invalidated after it was loaded. Read from Redis, not from what this node has heard, so
   * that a write or invalidation whose message is still on its way rules the frame out too. Two
   * round trips: one {@code MGET} of the generation and the tags' versions (group 0's slot), then
   * the values, one pipeline per server.
   *
   * @throws IllegalArgumentException if a tagged frame is truncated (decode frames first)
   */
  public Set<String> stillHeld(Map<String, byte[]> frames) {
    Map<String, Frame.Tags> tagsOf = new HashMap<>();
    List<String> tags = new ArrayList<>();
    frames.forEach((key, frame) -> {
      Frame.Tags carried = Frame.tags(frame);
      if (carried != null) {
        tagsOf.put(key, carried);
        tags.addAll(carried.tags());
      }
    });
    List<byte[]> counters = new ArrayList<>(tags.size() + 1);
    counters.add(layout.generationKey());
    tags.forEach(tag -> counters.add(layout.tagKey(tag)));
    List<byte[]> stored = breakers.of(0).call(() -> jedis.mget(counters.toArray(byte[][]::new)));
    long current = number(stored.get(0), "generation");
    Map<String, Long> versions = new HashMap<>();
    for (int i = 0; i < tags.size(); i++) {
      versions.merge(tags.get(i), number(stored.get(i + 1), "tag version"), Math::max);
    }
    List<Object> held = batch(frames.keySet(), reads((gen, batch) -> valueKeys(current, batch)));
    Set<String> still = new HashSet<>();
    int i = 0;
    for (Map.Entry<String, byte[]> frame : frames.entrySet()) {
      String key = frame.getKey();
      Frame.Tags carried = tagsOf.get(key);
      if (held.get(i) instanceof byte[] now && Arrays.equals(frame.getValue(), now)
          && (carried == null || carried.tags().stream()
              .allMatch(tag -> versions.get(tag) <= carried.epoch()))) {
        still.add(key);
      }
      i++;
    }
    return still;
  }

  /** The cache's tag epoch in Redis: the number of its last tag invalidation, 0 before any. */
  public long tagEpoch() {
    return breakers.of(0).call(() -> number(jedis.get(layout.tagEpochKey()), "tag epoch"));
  }

  /**
   * The epoch each of {@code tags} was last invalidated in, 0 for none (or expired), in one round
   * trip: the tags' records share group 0's hash slot.
   */
  public List<Long> tagVersions(List<String> tags) {
    byte[][] keys = tags.stream().map(layout::tagKey).toArray(byte[][]::new);
    List<byte[]> stored = breakers.of(0).call(() -> jedis.mget(keys));
    return stored.stream().map(version -> number(version, "tag version")).toList();
  }

  /** Follows a generation announced by another instance, if it is newer than the known one. */
  public void advanceGeneration(long announced) {
    // While unknown, stay unknown: Redis may hold a newer one still.
    generation.updateAndGet(known -> known == UNKNOWN ? UNKNOWN : Math.max(known, announced));
  }

  /** Makes the next call read the generation from Redis again. */
  public void forgetGeneration() {
    generation.set(UNKNOWN);
  }

  private long knownGeneration() {
    long known = generation.get();
    if (known != UNKNOWN) {
      return known;
    }
    long read = number(jedis.get(layout.generationKey()), "generation");
    return generation.accumulateAndGet(read, Math::max);
  }

  /** A counter stored by a script, 0 if absent. */
  private static long number(byte[] stored, String what) {
    try {
      return stored == null ? 0 : Long.parseLong(new String(stored, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      throw new JedisDataException(what + " key holds a non-number; delete it to reset", e);
    }
  }

  private List<byte[]> entryKeys(long gen, String key) {
    return List.of(layout.valueKey(gen, key), layout.leaseKey(gen, key));
  }

  /** The value and lease keys of each of {@code keys}, in turn. */
  private List<byte[]> entryKeys(long gen, List<String> keys) {
    List<byte[]> entries = new ArrayList<>(2 * keys.size());
    for (String key : keys) {
      entries.add(layout.valueKey(gen, key));
      entries.add(layout.leaseKey(gen, key));
    }
    return entries;
  }

  private List<byte[]> valueKeys(long gen, List<String> keys) {
    return keysOf(keys, key -> layout.valueKey(gen, key));
  }

  private static List<byte[]> keysOf(List<String> keys, Function<String, byte[]> key) {
    List<byte[]> redisKeys = new ArrayList<>(keys.size());
    keys.forEach(k -> redisKeys.add(key.apply(k)));
    return redisKeys;
  }

  /** An entry's value and lease, then its group's counter and log. */
  private List<byte[]> changeKeys(long gen, int group, String key) {
    return Announcer.concat(entryKeys(gen, key), announcer.keys(group));
  }

  /** A change script's own arguments, then the announcement of {@code key}. */
  private List<byte[]> changeArgs(int group, String key, List<byte[]> own) {
    return Announcer.concat(own, announcer.args(Kind.KEYS, group, cacheName, List.of(key)));
  }

  /**
   * One command for a batch of keys under a generation, run alone or queued in a pipeline; its
   * reply is a list holding the answer of each key, in the batch's order.
   */
  private interface BatchCommand {
    Object run(long generation, List<String> batch);

    Response<?> queue(AbstractPipeline pipeline, long generation, List<String> batch);
  }

  /** {@code script} run on the Redis keys and the arguments of a batch. */
  private BatchCommand scripted(Script script, BiFunction<Long, List<String>, List<byte[]>> keys,
      Function<List<String>, List<byte[]>> args) {
    return new BatchCommand() {
      @Override
      public Object run(long generation, List<String> batch) {
        return script.run(jedis, keys.apply(generation, batch), args.apply(batch));
      }

      @Override
      public Response<?> queue(AbstractPipeline pipeline, long generation, List<String> batch) {
        return script.queue(pipeline, keys.apply(generation, batch), args.apply(batch));
      }
    };
  }

  /** A read of the Redis keys of a batch: {@code GET} for one key, {@code MGET} for more. */
  private BatchCommand reads(BiFunction<Long, List<String>, List<byte[]>> keys) {
    return new BatchCommand() {
      @Override
      public Object run(long generation, List<String> batch) {
        List<byte[]> redisKeys = keys.apply(generation, batch);
        return redisKeys.size() == 1 ? Collections.singletonList(jedis.get(redisKeys.get(0)))
            : jedis.mget(redisKeys.toArray(byte[][]::new));
      }

      @Override
      public Response<?> queue(AbstractPipeline pipeline, long generation, List<String> batch) {
        return pipeline.mget(keys.apply(generation, batch).toArray(byte[][]::new));
      }
    };
  }

  /**
   * Runs {@code command} once per batch of keys and answers each key's part of the replies, in
   * the order of {@code keys}. A batch holds keys of one server and, on a Cluster (where a
   * command's keys must share a hash slot), of one slot group; at most {@value #MAX_BATCH} keys,
   * because Redis runs one script at a time and a long one stalls every other client. One batch
   * runs alone (a pipeline would only add its own cost to the miss path); more are pipelined, one
   * pipeline per server, each through that server's breaker. The keys of a server that fails fail
   * the whole call, after the other servers' ran.
   */
  private List<Object> batch(Collection<String> keys, BatchCommand command) {
    if (keys.size() == 1) {
      List<String> one = List.copyOf(keys);
      return replies(breakers.of(layout.groupOf(one.get(0)))
          .call(() -> command.run(knownGeneration(), one)), one);
    }
    Map<CircuitBreaker, Map<Integer, List<String>>> byServer = new LinkedHashMap<>();
    for (String key : keys) {
      int group = layout.groupOf(key);
      byServer.computeIfAbsent(breakers.of(group), b -> new LinkedHashMap<>())
          .computeIfAbsent(oneServer ? 0 : group, g -> new ArrayList<>()).add(key);
    }
    Map<String, Object> replies = new HashMap<>();
    JedisException failed = null;
    for (Map.Entry<CircuitBreaker, Map<Integer, List<String>>> server : byServer.entrySet()) {
      List<List<String>> batches = new ArrayList<>();
      server.getValue().values().forEach(all -> batches.addAll(Lists.partition(all, MAX_BATCH)));
      try {
        replies.putAll(server.getKey().call(() -> runAll(batches, command)));
      } catch (JedisException e) {
        failed = e;
      }
    }
    if (failed != null) {
      throw failed;
    }
    List<Object> ordered = new ArrayList<>(keys.size());
    for (String key : keys) {
      ordered.add(replies.get(key));
    }
    return ordered;
  }

  /**
   * Runs {@code command} for each batch, alone if there is one, else in one pipeline, and answers
   * each key's reply. A script the server lacks ({@code NOSCRIPT}: it did not run) is run again
   * for its batch alone, which sends it in full once; the other replies stand.
   */
  private Map<String, Object> runAll(List<List<String>> batches, BatchCommand command) {
    long gen = knownGeneration();
    Map<String, Object> replies = new HashMap<>();
    if (batches.size() == 1) {
      List<String> batch = batches.get(0);
      keyed(batch, replies(command.run(gen, batch), batch), replies);
      return replies;
    }
    List<Response<?>> responses = new ArrayList<>(batches.size());
    try (AbstractPipeline pipeline = jedis.pipelined()) {
      for (List<String> batch : batches) {
        responses.add(command.queue(pipeline, gen, batch));
      }
      pipeline.sync();
    }
    for (int i = 0; i < batches.size(); i++) {
      List<String> batch = batches.get(i);
      Object reply;
      try {
        reply = reply(responses.get(i));
      } catch (JedisNoScriptException e) {
        reply = command.run(gen, batch);
      }
      keyed(batch, replies(reply, batch), replies);
    }
    return replies;
  }

  /**
   * A pipelined command's reply.
   *
   * @throws JedisConnectionException if the pipeline left it unset: Jedis' cluster pipeline logs a
   *     node's connection error and leaves that node's replies empty, which {@link Response#get}
   *     reports as an {@link IllegalStateException}
   */
  private static <T> T reply(Response<T> response) {
    try {
      return response.get();
    } catch (IllegalStateException e) {
      throw new JedisConnectionException("no reply: the pipeline lost its connection", e);
    }
  }

  /**
   * A batch's reply as the list of its keys' answers.
   *
   * @throws JedisDataException if Redis answered something else (a script of another version)
   */
  private static List<Object> replies(Object reply, List<String> batch) {
    if (reply instanceof List<?> list && list.size() == batch.size()) {
      return Collections.unmodifiableList(list);
    }
    throw new JedisDataException("Redis answered " + reply + " for " + batch.size() + " keys");
  }

  private static void keyed(List<String> batch, List<Object> answers,
      Map<String, Object> replies) {
    for (int i = 0; i < batch.size(); i++) {
      replies.put(batch.get(i), answers.get(i));
    }
  }

  private static Lookup lookup(Object reply) {
    if (reply instanceof byte[] frame) {
      return new Found(frame);
    }
    if (reply instanceof List<?> expired) {
      return new Leased((byte[]) expired.get(0));
    }
    return Long.valueOf(1).equals(reply) ? LEASED : HELD;
  }

  private static byte[] millis(Duration d) {
    return decimal(d.toMillis());
  }

  private static byte[] decimal(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }
}
