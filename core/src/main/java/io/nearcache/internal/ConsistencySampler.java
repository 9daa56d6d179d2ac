package io.nearcache.internal;

import io.nearcache.SerializationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Checks a few L1 entries a second against Redis, so that staleness is measured instead of
 * guessed (in the spirit of Meta's "Cache made consistent"). It walks the caches' L1 keys in turn;
 * an entry at least {@code bound} old whose bytes differ from Redis' becomes a suspect, and is
 * judged stale if, {@code bound} later, L1 still holds that very entry and Redis still differs.
 * Waiting out the bound keeps a change whose invalidation is simply in flight from counting. A
 * stale entry is counted ({@link io.nearcache.CacheStats#staleEntries()}), logged and dropped.
 *
 * <p>Bytes are compared, as the cache's serializer encodes the L1 value: a serializer whose
 * output for equal values differs between runs (a hash map's order across JVMs, say) would show
 * false mismatches. Runs on the maintenance thread only; not thread-safe.
 */
public final class ConsistencySampler {
  private static final Logger log = LoggerFactory.getLogger(ConsistencySampler.class);

  private final Collection<DefaultNearCache<?, ?>> caches;
  private final double perNano;
  /** At most a second's worth of comparisons is saved up while runs are late. */
  private final double maxBudget;
  private final Duration bound;
  private final Map<DefaultNearCache<?, ?>, Iterator<String>> walks = new HashMap<>();
  private final Map<Suspect, Long> suspects = new HashMap<>();
  private Iterator<DefaultNearCache<?, ?>> turn = List.<DefaultNearCache<?, ?>>of().iterator();
  private double budget;
  private long lastRun;

  /**
   * Creates a sampler; its client runs {@link #run} every so often. Not API.
   *
   * @param caches the client's caches, live: caches made later are sampled too
   * @param perSecond entries to compare a second, over all caches
   * @param bound how old an entry must be, and how long a difference must last, to count
   */
  public ConsistencySampler(Collection<DefaultNearCache<?, ?>> caches, int perSecond,
      Duration bound) {
    this.caches = caches;
    this.perNano = perSecond / 1e9;
    this.maxBudget = Math.max(1, perSecond);
    this.bound = bound;
    this.lastRun = System.nanoTime();
  }

  /** Judges the suspects that are due, then compares as many new entries as the rate allows. */
  public void run() {
    long now = System.nanoTime();
    budget = Math.min(budget + (now - lastRun) * perNano, maxBudget);
    lastRun = now;
    try {
      judgeDue(now);
      for (; budget >= 1 && !caches.isEmpty(); budget--) {
        sampleNext(now);
      }
    } catch (JedisException e) {
      // Redis is failing: the breaker and contact deal with it; sampling waits for the next run.
      log.debug("consistency sampling paused: Redis failed", e);
    }
  }

  private void judgeDue(long now) {
    List<Suspect> due = new ArrayList<>();
    suspects.forEach((suspect, since) -> {
      if (now - since >= bound.toNanos()) {
        due.add(suspect);
      }
    });
    for (Suspect suspect : due) {
      suspects.remove(suspect);
      DefaultNearCache.Sample again = compare(suspect.cache(), suspect.key());
      if (again != null && !again.matches() && again.slot() == suspect.slot()) {
        suspect.cache().dropStale(suspect.key(), suspect.slot(), bound);
      }
    }
  }

  private void sampleNext(long now) {
    if (!turn.hasNext()) {
      turn = new ArrayList<>(caches).iterator();
    }
    DefaultNearCache<?, ?> cache = turn.next();
    Iterator<String> walk = walks.get(cache);
    if (walk == null || !walk.hasNext()) {
      walk = cache.localKeys();
      walks.put(cache, walk);
      if (!walk.hasNext()) {
        return;
      }
    }
    String key = walk.next();
    DefaultNearCache.Sample sample = compare(cache, key);
    if (sample != null && !sample.matches()) {
      suspects.putIfAbsent(new Suspect(cache, key, sample.slot()), now);
    }
  }

  /** The sample of {@code key}, or {@code null} if there is nothing to compare or it fails. */
  private DefaultNearCache.Sample compare(DefaultNearCache<?, ?> cache, String key) {
    try {
      return cache.sample(key, bound);
    } catch (SerializationException e) {
      log.debug("cache {}: cannot encode the L1 value of {} to compare it", cache.name(), key, e);
      return null;
    }
  }

  /** An entry seen to differ from Redis; {@code slot} compared by identity. */
  private record Suspect(DefaultNearCache<?, ?> cache, String key, Object slot) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Suspect s && s.cache == cache && s.key.equals(key) && s.slot == slot;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(cache) * 31 + key.hashCode();
    }
  }
}
