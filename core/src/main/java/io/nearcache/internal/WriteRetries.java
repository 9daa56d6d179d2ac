package io.nearcache.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Invalidations that could not reach Redis, kept until it is back so that none is lost. A write
 * whose L2 step or publish failed is queued here and later redone as "delete from L2, publish"
 * (idempotent, and safe whatever the first attempt did). The queue is bounded; a cache whose
 * invalidations overflow it gets one whole-cache invalidation instead.
 */
public final class WriteRetries {
  private static final Logger log = LoggerFactory.getLogger(WriteRetries.class);

  private final int bound;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final Set<DefaultNearCache<?, ?>> overflowed = ConcurrentHashMap.newKeySet();

  /** Creates an empty queue holding at most {@code bound} key invalidations. */
  public WriteRetries(int bound) {
    this.bound = bound;
  }

  private record Pending(DefaultNearCache<?, ?> cache, String key) {}

  /** Keeps the invalidation of {@code key} ({@code null}: the whole cache) for a later retry. */
  void add(DefaultNearCache<?, ?> cache, String key) {
    if (key == null) {
      overflowed.add(cache);
    } else if (size.incrementAndGet() > bound) {
      size.decrementAndGet();
      if (overflowed.add(cache)) {
        log.warn("cache {}: more than {} invalidations wait for Redis; the whole cache will be"
            + " invalidated when it is back", cache.name(), bound);
      }
    } else {
      queue.add(new Pending(cache, key));
    }
  }

  /** Invalidations waiting for Redis. */
  public int size() {
    return size.get() + overflowed.size();
  }

  /**
   * Redoes what is queued, in order, until Redis fails again; what is left stays queued.
   * Whole-cache invalidations go first and make the queued keys of their cache moot.
   */
  public void retry() {
    try {
      for (DefaultNearCache<?, ?> cache : overflowed) {
        overflowed.remove(cache); // before the redo, so that a newer overflow is kept
        try {
          cache.redoInvalidateAll();
        } catch (JedisException e) {
          overflowed.add(cache);
          throw e;
        }
      }
      for (Pending p; (p = queue.peek()) != null; ) {
        if (!overflowed.contains(p.cache())) {
          p.cache().redoInvalidate(p.key());
        }
        queue.poll();
        size.decrementAndGet();
      }
    } catch (JedisException e) {
      log.debug("retrying invalidations: Redis still unavailable ({} waiting)", size(), e);
    }
  }
}
