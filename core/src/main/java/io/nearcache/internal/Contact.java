package io.nearcache.internal;

import io.nearcache.internal.invalidation.InvalidationLog;
import io.nearcache.internal.invalidation.InvalidationLog.Replay;
import io.nearcache.internal.invalidation.InvalidationMessage;
import io.nearcache.internal.invalidation.InvalidationSubscriber;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.redis.RedisDeployment;
import io.nearcache.internal.resilience.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Whether a client can be sure it hears every invalidation, and the repair when it cannot: the
 * bus's receiving end. It routes every message heard to its cache and follows each slot group's
 * numbering in a {@link GroupSync}.
 *
 * <p>While in contact, L1 is served. Contact is lost, for one group, when a message skips numbers
 * or goes back; for every group, when the subscriber connection drops, a message cannot be read
 * (then L1 is dropped at once as well), the circuit breaker opens, or the subscription stops
 * answering PING (a watchdog decides: a silent connection never calls back). From then on no L1
 * entry is served or filled, though entries are kept. Once subscribed, the client repairs each unsynced group: it reads the group's
 * last number, replays the group's log from the first number it missed and drops exactly the keys
 * found, then serves L1 again. Only a group whose log no longer holds that number, whose numbering
 * went back, or whose server lost its data (a new history) is dropped from L1 as a whole: repair
 * without a reload storm, and without reading any clock.
 *
 * <p>{@link #tick()} runs on the client's maintenance thread and does the repair's I/O; it is the
 * only method that waits on Redis. The others run on the subscriber thread or callers' threads and
 * take only {@link GroupSync}'s short lock.
 */
public final class Contact implements InvalidationSubscriber.Listener {
  private static final Logger log = LoggerFactory.getLogger(Contact.class);

  private final String name;
  private final String senderId;
  private final InvalidationLog invalidationLog;
  private final RedisDeployment redis;
  private final CircuitBreaker breaker;
  private final Map<String, DefaultNearCache<?, ?>> caches;
  private final long silenceTimeoutNanos;
  private final GroupSync sync = new GroupSync();
  private InvalidationSubscriber subscriber;

  /**
   * Creates the contact of a client, not trusted until its first repair.
   *
   * @param senderId the client's own sender id: its own changes are numbered but not dropped again
   * @param silenceTimeout how long the subscription may leave a PING unanswered before it counts
   *     as dead
   */
  public Contact(String name, String senderId, InvalidationLog invalidationLog,
      RedisDeployment redis, CircuitBreaker breaker, Map<String, DefaultNearCache<?, ?>> caches,
      Duration silenceTimeout) {
    this.name = name;
    this.senderId = senderId;
    this.invalidationLog = invalidationLog;
    this.redis = redis;
    this.breaker = breaker;
    this.caches = caches;
    this.silenceTimeoutNanos = silenceTimeout.toNanos();
  }

  /** Completes the wiring: the subscriber is made after this object, which it calls back. */
  public void watch(InvalidationSubscriber subscriber) {
    this.subscriber = subscriber;
  }

  /** Whether L1 may be served and filled now. One volatile read: it sits on the hit path. */
  public boolean trusted() {
    return sync.trusted();
  }

  /** Invalidations of any group may have been missed: stop serving L1 until repaired. */
  public void lost(String reason) {
    if (sync.trusted()) {
      log.info("client {}: {}; not serving L1 until the invalidation logs are replayed", name,
          reason);
    }
    sync.lost();
  }

  /**
   * The client is closing: L1 is never served again, which is how an L1 hit, which checks only
   * {@link #trusted()}, learns of the close. Does not wait for a repair in progress.
   */
  public void close() {
    sync.close();
  }

  /** Drops what the message names (unless this client made the change), then counts it. */
  @Override
  public void onMessage(InvalidationMessage message) {
    if (message.group() >= KeyLayout.GROUPS) {
      onUnreadableMessage("slot group " + message.group() + " does not exist");
      return;
    }
    if (!message.senderId().equals(senderId)) {
      DefaultNearCache<?, ?> cache = caches.get(message.cache());
      if (cache != null) {
        cache.onInvalidation(message);
      }
    }
    if (sync.heard(message.group(), message.number())) {
      log.warn("client {}: invalidation {} of group {} out of order; replaying the group", name,
          message.number(), message.group());
    }
  }

  @Override
  public void onMessagesMaybeLost(String reason) {
    lost(reason);
  }

  /**
   * Drops all of L1 at once and repairs: the message may come from a node of another release,
   * whose change this node's logs may not hold, so only dropping is safe. A fleet in the middle of
   * a rolling upgrade degrades to reloads, never to stale reads.
   */
  @Override
  public void onUnreadableMessage(String reason) {
    lost("an unreadable invalidation message (" + reason + ")");
    log.warn("client {}: dropping every slot group from L1 after an unreadable message", name);
    forEachCache(DefaultNearCache::flushAll);
  }

  /**
   * Maintenance: declares a silent subscription dead, and repairs the unsynced groups once
   * subscribed. Also called once by the client's builder, so that a new client serves L1 from its
   * first call.
   */
  public synchronized void tick() {
    if (subscriber.isSubscribed() && subscriber.silentNanos() > silenceTimeoutNanos) {
      lost("the subscription did not answer PING for " + silenceTimeoutNanos / 1_000_000 + " ms");
      subscriber.reconnect(); // the connection may be dead without knowing it
      return;
    }
    if (sync.repairDue() && subscriber.isSubscribed()) {
      repair();
    }
  }

  private void repair() {
    GroupSync.Repair repair = sync.beginRepair();
    long replayed = 0;
    try {
      // Read after the subscription was made: every change numbered later is heard.
      long[] last = invalidationLog.lastNumbers();
      List<String> histories = breaker.call(redis::historyIds);
      for (int group : repair.groups()) {
        String history = histories.get(group);
        long through = last[group];
        if (!repair.known(group)) {
          // A first look: nothing was served, but a fill in flight may predate the baseline.
          forEachCache(cache -> cache.dropGroup(group));
        } else if (!history.equals(repair.history(group))) {
          flushGroup(group, "its server lost its data (a new history)");
        } else if (through < repair.applied(group)) {
          flushGroup(group, "its numbering went back from " + repair.applied(group) + " to "
              + through);
        } else if (through > repair.applied(group)) {
          Replay replay = invalidationLog.after(group, repair.applied(group), through);
          if (replay.complete()) {
            replay.entries().forEach(this::apply);
            replayed += replay.entries().size();
          } else {
            flushGroup(group, "its log no longer reaches back to change "
                + (repair.applied(group) + 1));
          }
          through = replay.through();
        }
        sync.repaired(repair, group, history, through);
      }
    } catch (JedisException e) {
      log.debug("client {}: repair failed, retrying", name, e);
      return;
    }
    if (sync.finish()) {
      log.info("client {}: replayed {} logged invalidations of {} groups; serving L1 again", name,
          replayed, repair.groups().size());
    }
  }

  private void apply(InvalidationLog.Entry entry) {
    DefaultNearCache<?, ?> cache = caches.get(entry.cache());
    if (cache != null) {
      cache.replay(entry);
    }
  }

  private void flushGroup(int group, String why) {
    log.warn("client {}: dropping slot group {} from L1: {}", name, group, why);
    forEachCache(cache -> cache.flushGroup(group));
  }

  private void forEachCache(Consumer<DefaultNearCache<?, ?>> action) {
    caches.values().forEach(action);
  }

}
