package io.nearcache.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Invalidations that could not reach Redis, kept until it is back so that none is lost. A write
 * whose script failed is queued here and later redone as "delete from L2, number, log and
 * announce" (idempotent, and safe whatever the first attempt did). The queue is bounded; a cache
 * whose invalidations overflow it gets one whole-cache invalidation instead.
 */
public final class WriteRetries {
  private static final Logger log = LoggerFactory.getLogger(WriteRetries.class);

  private final int bound;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  /**
   * Caches owed a whole-cache invalidation, each with the number of its latest overflow, so that a
   * redo removes only the overflow it redid and the cache counts as pending until then.
   */
  private final ConcurrentHashMap<DefaultNearCache<?, ?>, Long> overflowed =
      new ConcurrentHashMap<>();
  private final AtomicLong overflows = new AtomicLong();
  private final Runnable queued;

  /**
   * Creates an empty queue holding at most {@code bound} key invalidations.
   *
   * @param queued called, on the writer's thread, when the queue stops being empty or a cache first
   *     overflows it: a {@link #retry()} is due (while anything waits, the caller retries on its
   *     own schedule)
   */
  public WriteRetries(int bound, Runnable queued) {
    this.bound = bound;
    this.queued = queued;
  }

  private record Pending(DefaultNearCache<?, ?> cache, String key) {}

  /** Keeps the invalidation of the whole of {@code cache} for a later retry. */
  void addWholeCache(DefaultNearCache<?, ?> cache) {
    if (overflowed.put(cache, overflows.incrementAndGet()) == null) {
      queued.run();
    }
  }

  /** Keeps the invalidation of {@code key} of {@code cache} for a later retry. */
  void addKey(DefaultNearCache<?, ?> cache, String key) {
    int pending = size.incrementAndGet();
    if (pending > bound) {
      size.decrementAndGet();
      if (overflowed.put(cache, overflows.incrementAndGet()) == null) {
        log.warn("cache {}: more than {} invalidations wait for Redis; the whole cache will be"
            + " invalidated when it is back", cache.name(), bound);
        queued.run();
      }
    } else {
      queue.add(new Pending(cache, key));
      if (pending == 1) {
        queued.run(); // the first one: later ones find a retry already due
      }
    }
  }

  /** Invalidations waiting for Redis. */
  public int size() {
    return size.get() + overflowed.size();
  }

  /**
   * Redoes what is queued, in order, until Redis fails again; what is left stays queued.
   * Whole-cache invalidations go first. Queued keys of their caches are redone too: one queued
   * after the new generation was made may name a value written under it.
   */
  public void retry() {
    try {
      for (Map.Entry<DefaultNearCache<?, ?>, Long> owed : overflowed.entrySet()) {
        owed.getKey().redoInvalidateAll();
        // Only the overflow redone: one that came during the redo stays owed.
        overflowed.remove(owed.getKey(), owed.getValue());
      }
      for (Pending p; (p = queue.peek()) != null; ) {
        p.cache().redoInvalidate(p.key());
        queue.poll();
        size.decrementAndGet();
      }
    } catch (JedisException e) {
      log.debug("retrying invalidations: Redis still unavailable ({} waiting)", size(), e);
    }
  }
}
