package io.nearcache.internal;

import io.nearcache.internal.invalidation.InvalidationLog;
import io.nearcache.internal.invalidation.InvalidationLog.Replay;
import io.nearcache.internal.invalidation.InvalidationPublisher;
import io.nearcache.internal.invalidation.InvalidationSubscriber;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Whether a client can be sure it hears every invalidation, and the repair when it cannot.
 *
 * <p>While in contact, L1 is served. Contact is lost when the subscriber connection drops, a
 * sender's sequence numbers skip, a message cannot be read, the circuit breaker opens, or the
 * client stops hearing its own heartbeat (a watchdog decides: a silent connection never calls
 * back). From then on no L1 entry is served or filled, though entries are kept. Once subscribed
 * again, the client replays every group's invalidation log from the last moment it knew it had
 * heard everything (its last own heartbeat, less a margin that covers the gap between a change
 * being logged and published), drops exactly the keys logged since, and serves L1 again. Only if a
 * log no longer reaches back that far does it flush every cache: repair without a reload storm.
 *
 * <p>{@link #heartbeat()} and {@link #tick()} run on the client's maintenance thread; the other
 * callbacks on the subscriber thread or callers' threads, and none of them blocks.
 */
public final class Contact {
  private static final Logger log = LoggerFactory.getLogger(Contact.class);
  /**
   * Changes are logged, then published: one logged this long before a heartbeat may still be on
   * its way.
   */
  static final Duration REPLAY_MARGIN = Duration.ofSeconds(2);

  private final String name;
  private final InvalidationLog invalidationLog;
  private final InvalidationPublisher publisher;
  private final Map<String, DefaultNearCache<?, ?>> caches;
  private final long heartbeatTimeoutNanos;
  private InvalidationSubscriber subscriber;
  private final AtomicLong losses = new AtomicLong();
  private volatile boolean trusted;
  private boolean closed; // guarded by this, as recover() runs under tick()'s lock
  private volatile boolean recoveryDue;
  private volatile long confirmedMillis = -1;
  private String serverRunId; // of the Redis whose logs the last repair trusted
  private volatile long lastHeardNanos = System.nanoTime();

  /**
   * Creates the contact of a client, not trusted until its first subscription.
   *
   * @param heartbeatTimeout how long without hearing its own heartbeat before contact is lost
   */
  public Contact(String name, InvalidationLog invalidationLog, InvalidationPublisher publisher,
      Map<String, DefaultNearCache<?, ?>> caches, Duration heartbeatTimeout) {
    this.name = name;
    this.invalidationLog = invalidationLog;
    this.publisher = publisher;
    this.caches = caches;
    this.heartbeatTimeoutNanos = heartbeatTimeout.toNanos();
  }

  /** Completes the wiring: the subscriber is made after this object, which it calls back. */
  public void watch(InvalidationSubscriber subscriber) {
    this.subscriber = subscriber;
  }

  /** Whether L1 may be served and filled now. One volatile read: it sits on the hit path. */
  public boolean trusted() {
    return trusted;
  }

  /** Invalidations may have been missed: stop serving L1 until a replay repaired it. */
  public void lost(String reason) {
    if (trusted) {
      log.info("client {}: {}; not serving L1 until the invalidation log is replayed", name,
          reason);
    }
    losses.incrementAndGet();
    trusted = false;
    recoveryDue = true;
  }

  /**
   * The client is closing: L1 is never served again, which is how an L1 hit, which checks only
   * {@link #trusted()}, learns of the close.
   */
  public synchronized void close() {
    closed = true;
    trusted = false;
  }

  /** The subscriber is subscribed (again): repair as soon as the maintenance thread runs. */
  public void subscribed() {
    lastHeardNanos = System.nanoTime();
    recoveryDue = true;
  }

  /**
   * The client heard its own heartbeat: every message published before it has been delivered.
   *
   * @param redisMillis Redis' clock when the heartbeat was sent
   */
  public void heardOwnHeartbeat(long redisMillis) {
    lastHeardNanos = System.nanoTime();
    if (trusted) {
      // Only while trusted: after a loss, a heartbeat on the new connection says nothing about
      // the messages the old one missed.
      confirmedMillis = Math.max(confirmedMillis, redisMillis);
    }
  }

  /** Maintenance: publishes a heartbeat, which this client's subscriber must hear back. */
  public void heartbeat() {
    try {
      publisher.publishHeartbeat();
    } catch (JedisException e) {
      log.debug("client {}: heartbeat not sent", name, e);
    }
  }

  /**
   * Maintenance: declares a silent subscription dead, and repairs L1 once subscribed again. Also
   * called once by the client's builder, so that a new client serves L1 from its first call.
   */
  public synchronized void tick() {
    if (subscriber.isSubscribed() && System.nanoTime() - lastHeardNanos > heartbeatTimeoutNanos) {
      lost("no heartbeat heard for " + heartbeatTimeoutNanos / 1_000_000 + " ms");
      lastHeardNanos = System.nanoTime();
      subscriber.reconnect(); // the connection may be dead without knowing it
    }
    if (recoveryDue && subscriber.isSubscribed()) {
      recover();
    }
  }

  private void recover() {
    recoveryDue = false;
    long lossesBefore = losses.get();
    try {
      String runId = invalidationLog.serverRunId();
      if (confirmedMillis < 0) {
        // First subscription: the caches hold nothing yet that could be stale.
        confirmedMillis = publisher.redisMillis();
      } else {
        Replay replay = runId.equals(serverRunId)
            ? invalidationLog.since(confirmedMillis - REPLAY_MARGIN.toMillis())
            : new Replay(false, List.of()); // a restarted Redis lost its logs
        if (!replay.complete()) {
          log.warn("client {}: the invalidation log no longer reaches back to what was missed;"
              + " flushing every cache", name);
          caches.values().forEach(DefaultNearCache::flush);
        } else {
          for (InvalidationLog.Entry entry : replay.entries()) {
            DefaultNearCache<?, ?> cache = caches.get(entry.cache());
            if (cache != null) {
              cache.replay(entry);
            }
          }
          log.info("client {}: replayed {} logged invalidations; serving L1 again", name,
              replay.entries().size());
        }
      }
      serverRunId = runId;
      // A loss during the replay needs a replay of its own.
      if (closed) {
        return;
      }
      if (losses.get() == lossesBefore) {
        trusted = true;
      } else {
        recoveryDue = true;
      }
    } catch (JedisException e) {
      recoveryDue = true;
      log.debug("client {}: replay failed, retrying", name, e);
    }
  }
}
