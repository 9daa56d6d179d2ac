package io.nearcache.internal;

import io.nearcache.internal.invalidation.InvalidationLog;
import io.nearcache.internal.invalidation.InvalidationLog.Replay;
import io.nearcache.internal.invalidation.InvalidationMessage;
import io.nearcache.internal.invalidation.Subscriptions;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.redis.RedisDeployment;
import io.nearcache.internal.resilience.Breakers;
import io.nearcache.internal.resilience.CircuitBreaker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * or goes back; for the groups of one server, when its subscription drops, is moved, stops
 * answering PING (the {@link Subscriptions} watchdog decides: a silent connection never calls
 * back), or its circuit breaker opens; for every group, when a message cannot be read (then L1 is
 * dropped at once as well). From then on no L1 entry of those groups is served or filled, though
 * entries are kept; nor of any group while group 0, which also carries the whole-cache
 * invalidations, is out of step.
 * Once a group's subscription is up again, the client repairs it: it reads the group's last
 * number, replays the group's log from the first number it missed and drops exactly the keys
 * found, then serves L1 again. Only a group whose log no longer holds that number, whose numbering
 * went back, or whose server lost its data (a new history: a restart, or a failover to a replica
 * that may lack acknowledged writes) is dropped from L1 as a whole. The last two also move every
 * cache to a new generation, once across the fleet, since L2 may then hold values whose
 * overwrites were lost. Repair without a reload storm, and without reading any clock.
 *
 * <p>{@link #tick(long)} runs on the client's maintenance thread and does the repair's I/O; it is
 * the only method that waits on Redis. The others run on subscriber threads or callers' threads and
 * take only {@link GroupSync}'s short lock.
 */
public final class Contact implements Subscriptions.Listener {
  private static final Logger log = LoggerFactory.getLogger(Contact.class);

  private final String name;
  private final String senderId;
  private final InvalidationLog invalidationLog;
  private final RedisDeployment redis;
  private final Breakers breakers;
  private final Map<String, DefaultNearCache<?, ?>> caches;
  private final SlotGroups groups;
  private final GroupSync sync;
  private final Runnable repairDue;
  private Subscriptions subscriptions;

  /**
   * Creates the contact of a client, not trusted until its first repair.
   *
   * @param senderId the client's own sender id: its own changes are numbered but not dropped again
   * @param repairDue called, on any thread, when a group falls out of step: the next {@link
   *     #tick(long)} should run soon
   */
  public Contact(String name, String senderId, InvalidationLog invalidationLog,
      RedisDeployment redis, Breakers breakers, Map<String, DefaultNearCache<?, ?>> caches,
      SlotGroups groups, Runnable repairDue) {
    this.repairDue = repairDue;
    this.groups = groups;
    this.sync = new GroupSync(groups);
    this.name = name;
    this.senderId = senderId;
    this.invalidationLog = invalidationLog;
    this.redis = redis;
    this.breakers = breakers;
    this.caches = caches;
  }

  /** Completes the wiring: the subscriptions are made after this object, which they call back. */
  public void watch(Subscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  /** Whether all of L1 may be served and filled now: every group is in step. One volatile read. */
  public boolean trusted() {
    return sync.trusted();
  }

  /**
   * Whether the L1 entry of {@code encodedKey} may be served and filled now: every group is in
   * step (one volatile read, the hit path), or at least the key's group and group 0 are, while a
   * failing shard keeps others out of step (then the key is hashed to find its group).
   */
  public boolean trusted(String encodedKey) {
    return sync.trusted() || sync.servable(groups.of(encodedKey));
  }

  /** Invalidations of any group may have been missed: stop serving L1 until repaired. */
  public void lost(String reason) {
    lost(groups.all(), reason);
  }

  /** Invalidations of {@code groups} may have been missed: stop serving L1 until repaired. */
  public void lost(List<Integer> groups, String reason) {
    if (sync.trusted()) {
      log.info("client {}: {}; not serving L1 until the invalidation logs of groups {} are"
          + " replayed", name, reason, groups);
    }
    sync.lost(groups);
    repairDue.run();
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
    if (message.group() >= groups.count()) {
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
      repairDue.run();
    }
  }

  @Override
  public void onMessagesMaybeLost(List<Integer> groups, String reason) {
    lost(groups, reason);
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
   * Maintenance: follows the topology and breaks silent subscriptions, then repairs the unsynced
   * groups whose subscriptions are up. Also called once by the client's builder, so that a new
   * client serves L1 from its first call.
   *
   * @param retryNanos how soon to come back while groups wait for their repair
   * @return how many nanoseconds from now the next call has work: at most {@code retryNanos}
   *     while a repair is due, else when the subscriptions' watchdog or topology check is due
   */
  public synchronized long tick(long retryNanos) {
    if (subscriptions.maintain()) {
      followOwners();
    }
    if (sync.repairDue()) {
      repair();
    }
    long due = subscriptions.nanosUntilDue();
    return sync.repairDue() ? Math.min(due, retryNanos) : due;
  }

  /** Gives each group the circuit breaker of the server that holds it now. */
  public void followOwners() {
    try {
      breakers.follow(redis.owners());
    } catch (JedisException e) {
      log.debug("client {}: the owners of the groups are unknown", name, e);
    }
  }

  private void repair() {
    GroupSync.Repair repair = sync.beginRepair(subscriptions.subscribedGroups());
    if (repair.groups().isEmpty()) {
      return;
    }
    Map<CircuitBreaker, List<Integer>> byServer = new LinkedHashMap<>();
    repair.groups().forEach(group ->
        byServer.computeIfAbsent(breakers.of(group), b -> new ArrayList<>()).add(group));
    long replayed = 0;
    for (Map.Entry<CircuitBreaker, List<Integer>> server : byServer.entrySet()) {
      try {
        replayed += repair(repair, server.getKey(), server.getValue());
      } catch (JedisException e) {
        // The groups stay unsynced; the next tick tries again, on the topology read anew (a
        // pipeline, unlike a single command, does not follow MOVED by itself).
        subscriptions.suspectTopology();
        log.debug("client {}: repair of groups {} failed, retrying", name, server.getValue(), e);
      }
    }
    if (sync.finish()) {
      log.info("client {}: replayed {} logged invalidations of {} groups; serving L1 again", name,
          replayed, repair.groups().size());
    }
  }

  /** Repairs {@code groups}, all on the server of {@code breaker}; the entries replayed. */
  private long repair(GroupSync.Repair repair, CircuitBreaker breaker, List<Integer> groups) {
    // Read after the subscription was made: every change numbered later is heard.
    Map<Integer, Long> last = breaker.call(() -> invalidationLog.lastNumbers(groups));
    Map<Integer, String> histories = breaker.call(() -> redis.historyIds(groups));
    long replayed = 0;
    for (int group : groups) {
      String history = histories.get(group);
      long through = last.get(group);
      long applied = repair.applied(group);
      if (!repair.known(group)) {
        // A first look: nothing was served, but a fill in flight may predate the baseline.
        forEachCache(cache -> cache.dropGroup(group));
      } else if (!history.equals(repair.history(group))) {
        // Marked by the history alone: the groups of one server share it, so a failover moves
        // each cache to a new generation once, not once per group.
        heal(group, history, "its server lost its data or was replaced by a replica (history "
            + repair.history(group) + " became " + history + ")");
      } else if (through < applied) {
        heal(group, group + ":" + history + ":" + through,
            "its numbering went back from " + applied + " to " + through);
      } else if (through > applied) {
        Replay replay = breaker.call(() -> invalidationLog.after(group, applied, last.get(group)));
        if (replay.complete()) {
          replay.entries().forEach(this::apply);
          replayed += replay.entries().size();
        } else {
          flushGroup(group, "its log no longer reaches back to change " + (applied + 1));
        }
        through = replay.through();
      }
      sync.repaired(repair, group, history, through);
    }
    return replayed;
  }

  /**
   * The server of {@code group} may have lost acknowledged writes: drops the group from L1 and
   * moves every cache to a new generation, so that neither tier serves a value whose overwrite was
   * lost. Throws, leaving the group unsynced, if a cache could not be moved.
   */
  private void heal(int group, String loss, String why) {
    flushGroup(group, why + "; every cache moves to a new generation in L2");
    forEachCache(cache -> cache.healAfterLoss(loss));
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
