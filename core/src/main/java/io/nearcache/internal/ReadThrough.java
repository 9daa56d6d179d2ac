package io.nearcache.internal;

import io.nearcache.CacheSpec;
import io.nearcache.Serializer;
import io.nearcache.internal.l2.Frame;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.l2.RemoteStore.Found;
import io.nearcache.internal.l2.RemoteStore.HeldByOther;
import io.nearcache.internal.l2.RemoteStore.Leased;
import io.nearcache.internal.l2.RemoteStore.Lookup;
import io.nearcache.internal.stats.StatsCounter;
import io.nearcache.internal.tags.TagVersions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What an L1 miss does: read L2; on a miss take the key's lease so that one instance of the fleet
 * loads while the others wait for its value; write the loaded value to L2 only if the lease still
 * stands. Fetches here never touch L1; {@link DefaultNearCache} guards the L1 fill.
 *
 * <p>Round trips: a miss of both tiers costs two, the lease (which returns the value if there is
 * one) and the lease-checked write, while the cache's lookups mostly miss ({@link
 * MissTrend}); while they mostly hit, a plain {@code GET} comes first, the cheapest lookup, and a
 * miss then costs three.
 *
 * <p>Waiting: an instance that finds the lease held polls (value, or the lease if it is free) with
 * backoff from {@value #MIN_BACKOFF_MILLIS} to {@value #MAX_BACKOFF_MILLIS} ms, one round trip a
 * poll. When the holder's lease expires (it died or hangs), the next poll takes it over. Past twice
 * the lease timeout the waiter loads by itself and does not write L2. A Redis failure anywhere
 * turns the fetch into a plain load without L2 writes; it never reaches the caller.
 */
final class ReadThrough<K, V> {
  private static final Logger log = LoggerFactory.getLogger(ReadThrough.class);
  private static final long MIN_BACKOFF_MILLIS = 2;
  private static final long MAX_BACKOFF_MILLIS = 50;
  private static final String TOKEN_PREFIX = UUID.randomUUID() + ":";
  private static final AtomicLong TOKENS = new AtomicLong();

  private final String name;
  private final CacheSpec spec;
  private final Serializer<V> serializer;
  private final RemoteStore remote;
  private final StatsCounter stats;
  private final RedisErrors errors;
  private final long maxWaitNanos;
  private final Tagging<V> tagging;
  private final MissTrend trend = new MissTrend();

  ReadThrough(String name, CacheSpec spec, Serializer<V> serializer, RemoteStore remote,
      StatsCounter stats, RedisErrors errors, Tagging<V> tagging) {
    this.name = name;
    this.tagging = tagging;
    this.spec = spec;
    this.serializer = serializer;
    this.remote = remote;
    this.stats = stats;
    this.errors = errors;
    this.maxWaitNanos = 2 * spec.leaseTimeout().toNanos();
  }

  /** L2 only: the stored value or "no value", or {@code null} on a miss or a Redis failure. */
  Fetched<V> readRemote(String k) {
    try {
      return get(k);
    } catch (JedisException e) {
      errors.record("GET", k, e);
      return null;
    }
  }

  /**
   * The stored value or "no value" of {@code k}, or {@code null} on a miss; counts the L2 lookup.
   *
   * @throws JedisException if Redis failed (counted as a miss, the failure left to the caller)
   */
  private Fetched<V> get(String k) {
    Fetched<V> found;
    try {
      byte[] frame = remote.get(k);
      found = frame == null ? null : decode(k, frame);
    } catch (JedisException e) {
      stats.recordL2Miss();
      throw e;
    }
    if (found == null) {
      stats.recordL2Miss();
    } else {
      stats.recordL2Hit();
    }
    return found;
  }

  /**
   * L2, then the lease and the loader (or another instance's load): {@link #fetchAll} of one key,
   * which costs the same round trips as the one key alone.
   */
  Fetched<V> fetch(K key, String k, Function<? super K, ? extends V> loader, long tagEpoch) {
    return fetchAll(Collections.singletonMap(k, key), keys -> {
      Map<K, V> one = new HashMap<>(2);
      one.put(key, loader.apply(key));
      return one;
    }, tagEpoch).get(k);
  }

  /**
   * L2, then the leases and the bulk loader (or other instances' loads), for many keys: one round
   * trip reads them all, one takes the free leases, one writes what the bulk loader found. Keys
   * whose lease another instance holds are polled until their value appears or the lease frees. A
   * Redis failure turns what is left into a plain load at once: no second call waits for a Redis
   * that just failed. Returns a result for every key.
   *
   * @param tagEpoch the tag epoch known when the fetch began, which loaded values carry
   */
  Map<String, Fetched<V>> fetchAll(Map<String, K> missing,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader,
      long tagEpoch) {
    Map<String, Fetched<V>> results = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(missing.keySet());
    List<String> absent;
    // Keys whose L2 lookup the lease script does, counted on its first answer.
    Set<String> uncounted = new HashSet<>();
    if (trend.mostlyMisses()) {
      absent = keys;
      uncounted.addAll(keys);
    } else {
      absent = new ArrayList<>();
      List<byte[]> frames;
      try {
        frames = remote.getAll(keys);
      } catch (JedisException e) {
        errors.record("GET", what(keys), e);
        keys.forEach(k -> stats.recordL2Miss());
        return loadAll(missing, bulkLoader, null, tagEpoch);
      }
      for (int i = 0; i < keys.size(); i++) {
        Fetched<V> found = frames.get(i) == null ? null : decode(keys.get(i), frames.get(i));
        countLookup(found != null);
        if (found == null) {
          absent.add(keys.get(i));
        } else {
          results.put(keys.get(i), found);
        }
      }
    }
    byte[] token = newToken();
    Set<String> waited = new HashSet<>();
    Map<String, byte[]> expired = new HashMap<>(); // frames within their staleIfError grace
    long deadline = System.nanoTime() + maxWaitNanos;
    long backoff = MIN_BACKOFF_MILLIS;
    while (!absent.isEmpty()) {
      List<Lookup> lookups;
      try {
        lookups = remote.getOrLeaseAll(absent, token);
      } catch (JedisException e) {
        errors.record("lease", what(absent), e);
        uncounted.forEach(k -> stats.recordL2Miss());
        results.putAll(loadOrExpired(subset(missing, absent), bulkLoader, null, tagEpoch, expired));
        return results;
      }
      Map<String, K> leased = new LinkedHashMap<>();
      List<String> again = new ArrayList<>();
      for (int i = 0; i < absent.size(); i++) {
        String k = absent.get(i);
        Lookup lookup = lookups.get(i);
        Fetched<V> value = lookup instanceof Found f ? decode(k, f.frame()) : null;
        if (uncounted.remove(k)) {
          countLookup(value != null);
        }
        if (value != null) {
          results.put(k, value);
        } else if (lookup instanceof Leased l) {
          if (waited.contains(k)) {
            stats.recordLeaseTakeover();
          }
          if (l.expired() != null) {
            expired.put(k, l.expired());
          }
          leased.put(k, missing.get(k));
        } else {
          if (lookup instanceof HeldByOther && waited.add(k)) {
            stats.recordLeaseWait();
          }
          again.add(k); // another instance is loading it, or it did not decode and was deleted
        }
      }
      if (!leased.isEmpty()) {
        results.putAll(loadOrExpired(leased, bulkLoader, token, tagEpoch, expired));
      }
      absent = again;
      if (!absent.isEmpty() && (System.nanoTime() - deadline > 0 || !pause(backoff))) {
        results.putAll(loadOrExpired(subset(missing, absent), bulkLoader, null, tagEpoch,
            expired));
        return results;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
    return results;
  }

  /** Counts an L2 lookup of a key, in the stats and in the trend that picks the next lookup. */
  private void countLookup(boolean hit) {
    if (hit) {
      stats.recordL2Hit();
      trend.hit();
    } else {
      stats.recordL2Miss();
      trend.miss();
    }
  }

  /**
   * {@link #loadAll}, and if the loader throws, the values of {@code expired} instead: those that
   * expired within the cache's {@code staleIfError} grace, if every key has one that is still
   * current: Redis still holds each as it was read, so no write, invalidation or tag invalidation
   * removed it, whether or not its message has reached this node. They are served, counted and
   * logged, and enter neither tier. Otherwise the loader's exception is rethrown.
   */
  private Map<String, Fetched<V>> loadOrExpired(Map<String, K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader, byte[] token,
      long tagEpoch, Map<String, byte[]> expired) {
    try {
      return loadAll(keys, bulkLoader, token, tagEpoch);
    } catch (RuntimeException e) {
      if (!expired.keySet().containsAll(keys.keySet())) {
        throw e;
      }
      Map<String, Fetched<V>> served = new LinkedHashMap<>();
      for (String k : keys.keySet()) {
        Fetched<V> old = decode(k, expired.get(k));
        if (old == null) {
          throw e;
        }
        served.put(k, new Fetched<>(old.value(), old.encodedSize(), false, old.tags()));
      }
      if (!stillHeld(keys.keySet(), expired)) {
        throw e;
      }
      served.keySet().forEach(k -> stats.recordStaleServed());
      log.warn("cache {}: the loader of {} failed ({}); serving {} that expired less than"
          + " staleIfError {} ago", name, what(keys.keySet()), e.toString(),
          served.size() == 1 ? "the value" : "the values", spec.staleIfError());
      return served;
    }
  }

  /**
   * Whether Redis still holds the expired frame of every one of {@code keys}, as {@link
   * RemoteStore#stillHeld} says; a Redis failure counts and answers {@code false}.
   */
  private boolean stillHeld(Set<String> keys, Map<String, byte[]> expired) {
    Map<String, byte[]> frames = new LinkedHashMap<>();
    keys.forEach(k -> frames.put(k, expired.get(k)));
    try {
      return remote.stillHeld(frames).containsAll(keys);
    } catch (JedisException e) {
      errors.record("GET", what(keys), e);
      return false;
    }
  }

  /** How a {@link #refresh} ended. */
  enum Refreshed {
    /**
     * This instance loaded the key and replaced its value in Redis, announced: with the new one,
     * or, if that cannot be stored, by deleting it.
     */
    REPLACED,
    /** Another instance holds the key's lease: it is refreshing, and will announce it. */
    HELD,
    /** Redis holds a value newer than the refreshed entry: read it instead. */
    FRESHER,
    /** A write or invalidation came during the refresh and won; it is announced. */
    SUPERSEDED
  }

  /**
   * Refreshes {@code k} ahead of its expiry, fleet-wide once: takes its lease unless another
   * instance holds it or Redis holds a newer value, loads, and writes the result as a write does
   * (announced) if the lease still stands. A {@code null} result, or one too large for Redis,
   * invalidates the key instead, announced. Runs on the refresh executor.
   *
   * @throws JedisException if Redis failed
   * @throws RuntimeException what the loader threw (the lease is released)
   */
  Refreshed refresh(K key, String k, Function<? super K, ? extends V> loader, long tagEpoch) {
    byte[] token = newToken();
    switch (remote.leaseForRefresh(k, token)) {
      case HELD -> {
        return Refreshed.HELD;
      }
      case FRESHER -> {
        return Refreshed.FRESHER;
      }
      default -> { } // taken: refresh
    }
    V value = timed(() -> loader.apply(key), List.of(k), token);
    byte[] frame;
    boolean storable;
    try {
      List<String> tags = tagging.tagsOf(value);
      frame = Frame.of(serializer, value, tags, tagEpoch);
      storable = (value != null || !spec.nullTtl().isZero()) && fitsRemote(k, frame)
          && (tags.isEmpty() || tagEpoch != TagVersions.UNKNOWN);
    } catch (RuntimeException e) {
      release(List.of(k), token);
      throw e;
    }
    if (!storable) {
      release(List.of(k), token);
      remote.delete(k); // the old value must not outlive a refresh that could not replace it
      return Refreshed.REPLACED;
    }
    return remote.setIfLeasedAndAnnounce(k, frame, token) ? Refreshed.REPLACED
        : Refreshed.SUPERSEDED;
  }

  /**
   * Calls the bulk loader once and, holding the leases of {@code token}, writes its results to L2;
   * with no token (Redis failing, or the wait given up) nothing is written.
   */
  private Map<String, Fetched<V>> loadAll(Map<String, K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader, byte[] token,
      long tagEpoch) {
    Map<? extends K, ? extends V> loaded = timed(() -> Objects.requireNonNull(
        bulkLoader.apply(Collections.unmodifiableSet(new LinkedHashSet<>(keys.values()))),
        "bulkLoader returned null"), keys.keySet(), token);
    Map<String, V> values = new LinkedHashMap<>();
    keys.forEach((k, key) -> values.put(k, loaded.get(key)));
    return store(values, token, tagEpoch);
  }

  /**
   * Runs a loader call, counting it and its time; if it throws, releases the leases of {@code
   * token} at once so that another instance can load, and rethrows.
   */
  private <T> T timed(Supplier<T> call, Collection<String> keys, byte[] token) {
    long start = System.nanoTime();
    try {
      T result = call.get();
      stats.recordLoadSuccess(System.nanoTime() - start);
      return result;
    } catch (RuntimeException | Error e) {
      stats.recordLoadFailure(System.nanoTime() - start);
      release(keys, token);
      throw e;
    }
  }

  /**
   * Encodes loaded values ({@code null}: none) and, holding the lease, writes them to L2 in one
   * round trip. Oversized values and "no value" without {@code nullTtl} are not written, and their
   * leases are released; so are tagged values loaded before the tag epoch was known.
   */
  private Map<String, Fetched<V>> store(Map<String, V> values, byte[] token, long tagEpoch) {
    boolean negativeCaching = !spec.nullTtl().isZero();
    Map<String, Fetched<V>> results = new LinkedHashMap<>();
    Map<String, byte[]> toWrite = new LinkedHashMap<>();
    List<String> toRelease = new ArrayList<>();
    try {
      values.forEach((k, value) -> {
        if (value == null && !negativeCaching) {
          results.put(k, new Fetched<>(null, 0, false, Tagging.NONE));
          toRelease.add(k);
          return;
        }
        List<String> tags = tagging.tagsOf(value);
        byte[] frame = Frame.of(serializer, value, tags, tagEpoch);
        results.put(k, new Fetched<>(value, frame.length, true, Tagging.array(tags)));
        if (token == null) {
          return;
        }
        if (!tags.isEmpty() && tagEpoch == TagVersions.UNKNOWN) {
          toRelease.add(k); // no epoch to store it under: Redis failed as the load began
        } else if (fitsRemote(k, frame)) {
          toWrite.put(k, frame);
        } else {
          toRelease.add(k);
        }
      });
    } catch (RuntimeException e) {
      release(values.keySet(), token);
      throw e;
    }
    release(toRelease, token);
    if (!toWrite.isEmpty()) {
      List<Boolean> written;
      try {
        written = remote.setAllIfLeased(toWrite, token);
      } catch (JedisException e) {
        errors.record("conditional SET", what(toWrite.keySet()), e);
        return results;
      }
      int i = 0;
      for (String k : toWrite.keySet()) {
        if (!written.get(i++)) {
          // A write or invalidation took the lease: the value is likely stale, keep it out of L1.
          Fetched<V> refused = results.get(k);
          results.put(k, new Fetched<>(refused.value(), refused.encodedSize(), false,
              refused.tags()));
        }
      }
    }
    return results;
  }

  /** Drops the leases of {@code token}; a failure only leaves them to expire. */
  private void release(Collection<String> keys, byte[] token) {
    if (token == null || keys.isEmpty()) {
      return;
    }
    try {
      remote.releaseAll(keys, token);
    } catch (JedisException e) {
      errors.record("lease release", what(keys), e);
    }
  }

  /**
   * Decodes an L2 frame; frames that do not decode are counted, logged and deleted. A tagged frame
   * one of whose tags was invalidated after it was loaded is unreachable: it is deleted (unless
   * rewritten meanwhile) and read as a miss.
   */
  private Fetched<V> decode(String k, byte[] frame) {
    Frame.Tags tags;
    try {
      if (Frame.isNoValue(frame)) {
        return new Fetched<>(null, frame.length, true, Tagging.NONE);
      }
      tags = Frame.tags(frame);
    } catch (RuntimeException e) {
      return undecodable(k, frame, e);
    }
    if (tags != null && !tagging.isCurrent(k, tags.tags(), tags.epoch())) {
      try {
        remote.deleteIfHolds(k, frame);
      } catch (JedisException e) {
        errors.record("DEL", k, e);
      }
      return null;
    }
    try {
      V value = Objects.requireNonNull(serializer.deserialize(Frame.payload(frame)),
          "serializer returned null");
      return new Fetched<>(value, frame.length, true,
          tags == null ? Tagging.NONE : tags.tags().toArray(String[]::new));
    } catch (RuntimeException e) {
      return undecodable(k, frame, e);
    }
  }

  /** A frame that does not decode: counted, logged and deleted, read as a miss. */
  private Fetched<V> undecodable(String k, byte[] frame, RuntimeException e) {
    stats.recordDecodeError();
    log.warn("cache {}: value of key {} in Redis ({} bytes) does not decode, deleting it: {}",
        name, k, frame.length, e.toString());
    try {
      remote.delete(k);
    } catch (JedisException deleteFailed) {
      errors.record("DEL", k, deleteFailed);
    }
    return null;
  }

  /**
   * Whether a frame may be written to L2 (writes ask too); oversized ones are counted and logged.
   */
  boolean fitsRemote(String k, byte[] frame) {
    if (frame.length <= spec.maxValueBytes()) {
      return true;
    }
    stats.recordOversizedValue();
    log.warn("cache {}: value of key {} encodes to {} bytes, over maxValueBytes {}; serving it"
        + " without storing it in Redis", name, k, frame.length, spec.maxValueBytes());
    return false;
  }

  /** The key, or how many keys, a failed call was about, for its log line. */
  private static String what(Collection<String> keys) {
    return keys.size() == 1 ? keys.iterator().next() : keys.size() + " keys";
  }

  private static <K> Map<String, K> subset(Map<String, K> all, List<String> keys) {
    Map<String, K> subset = new LinkedHashMap<>();
    keys.forEach(k -> subset.put(k, all.get(k)));
    return subset;
  }

  /** Sleeps between polls; false if interrupted (the flag is kept for the caller). */
  private static boolean pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * A lease token no other load of the fleet uses: this JVM's random prefix and a counter. Not
   * {@code UUID.randomUUID()} per load: its {@code SecureRandom} took a lock and a read of the
   * kernel's entropy on every miss.
   */
  private static byte[] newToken() {
    return (TOKEN_PREFIX + TOKENS.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
  }
}
