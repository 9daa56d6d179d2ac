package io.nearcache.internal.invalidation;

import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.redis.RedisDeployment;
import io.nearcache.internal.redis.Shard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A client's subscriber connections: one {@link InvalidationSubscriber} per server that owns slot
 * groups, as the deployment knows its topology ({@link RedisDeployment#shards()}). It follows the
 * topology: a subscription that broke or that the server ended makes it ask Redis for the topology
 * again, and each listener whose server or groups changed is replaced, its groups reported lost.
 * So a failover, a slot migration or a Sentinel switch moves the listening with the groups, and a
 * subscriber is never left on a server that no longer carries their changes.
 *
 * <p>It also runs each connection's watchdog: a subscription that has not answered for the silence
 * timeout (a paused or unreachable server never calls back) reports its groups lost and is broken.
 * Every method but {@link #close()} runs on the client's maintenance thread, or once in {@code
 * build()}.
 */
public final class Subscriptions implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
  /** How often the topology is read again when nothing broke: it also changes by operators. */
  private static final long PLAN_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

  /** Receives what every subscription hears; called on subscriber threads, must not block. */
  public interface Listener {
    /** A change announced by any client, this one included. */
    void onMessage(InvalidationMessage message);

    /** Messages of {@code groups} may have been lost since the last one applied. */
    void onMessagesMaybeLost(List<Integer> groups, String reason);

    /** A message could not be read: see {@link InvalidationSubscriber.Listener}. */
    void onUnreadableMessage(String reason);
  }

  private record Listening(Shard shard, InvalidationSubscriber subscriber) {}

  private final RedisDeployment redis;
  private final SlotGroups groups;
  private final String prefix;
  private final Listener listener;
  private final long silenceTimeoutNanos;
  private final LongConsumer probeRoundTrips;
  private final Map<String, Listening> listening = new LinkedHashMap<>();
  private volatile boolean topologyStale;
  private long plannedAt;
  private boolean closed;

  /**
   * Creates the subscriptions of {@code prefix}; nothing connects until {@link #start}.
   *
   * @param silenceTimeout how long a subscription may leave a PING unanswered before it counts
   *     as dead
   * @param probeRoundTrips told each answered PING's round trip, in nanoseconds, on the
   *     subscriber thread
   */
  public Subscriptions(RedisDeployment redis, SlotGroups groups, String prefix, Listener listener,
      Duration silenceTimeout, LongConsumer probeRoundTrips) {
    this.redis = redis;
    this.groups = groups;
    this.prefix = prefix;
    this.listener = listener;
    this.silenceTimeoutNanos = silenceTimeout.toNanos();
    this.probeRoundTrips = probeRoundTrips;
  }

  /**
   * Subscribes on every server that owns groups and waits up to {@code timeout} for all of them.
   *
   * @return whether every group is subscribed
   */
  public boolean start(Duration timeout) throws InterruptedException {
    List<InvalidationSubscriber> started;
    synchronized (this) {
      plan();
      started = listening.values().stream().map(Listening::subscriber).toList();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (InvalidationSubscriber subscriber : started) {
      if (!subscriber.awaitSubscribed(Duration.ofNanos(deadline - System.nanoTime()))) {
        return false;
      }
    }
    return !started.isEmpty();
  }

  /** For each group, whether its subscription is up now. */
  public synchronized boolean[] subscribedGroups() {
    boolean[] subscribed = new boolean[groups.count()];
    for (Listening l : listening.values()) {
      if (l.subscriber().isSubscribed()) {
        l.shard().groups().forEach(group -> subscribed[group] = true);
      }
    }
    return subscribed;
  }

  /**
   * A call to Redis failed in a way that may mean the topology changed: the next {@link
   * #maintain} reads it again.
   */
  public void suspectTopology() {
    topologyStale = true;
  }

  /** Sends a PING on every subscription that is up. */
  public synchronized void ping() {
    listening.values().forEach(l -> l.subscriber().ping());
  }

  /**
   * Breaks each subscription silent for too long, and follows the topology if a subscription
   * broke since the last call or a while has passed.
   *
   * @return whether the topology was read (the servers listened to may or may not have changed)
   */
  public synchronized boolean maintain() {
    for (Listening l : listening.values()) {
      InvalidationSubscriber subscriber = l.subscriber();
      if (subscriber.isSubscribed() && subscriber.silentNanos() > silenceTimeoutNanos) {
        listener.onMessagesMaybeLost(l.shard().groups(), "the subscription to " + l.shard().id()
            + " did not answer PING for " + silenceTimeoutNanos / 1_000_000 + " ms");
        subscriber.reconnect(); // the connection may be dead without knowing it
        topologyStale = true;
      }
    }
    if (!topologyStale && System.nanoTime() - plannedAt < PLAN_INTERVAL_NANOS) {
      return false;
    }
    if (topologyStale) {
      try {
        redis.refreshTopology();
        topologyStale = false;
      } catch (JedisException e) {
        log.debug("subscriptions of {}: topology not refreshed", prefix, e);
      }
    }
    return plan();
  }

  /**
   * How long until {@link #maintain} must run: when the first subscription's silence runs out (a
   * PING answered meanwhile pushes that back); 0 when the topology must be read again now. The
   * periodic look at the topology waits for whichever call comes after its interval: it needs no
   * wake-up of its own.
   */
  public synchronized long nanosUntilDue() {
    if (topologyStale) {
      return 0;
    }
    long due = Long.MAX_VALUE;
    for (Listening l : listening.values()) {
      InvalidationSubscriber subscriber = l.subscriber();
      if (subscriber.isSubscribed()) {
        due = Math.min(due, silenceTimeoutNanos + 1 - subscriber.silentNanos());
      }
    }
    return Math.max(0, due);
  }

  /** Listens to the servers the deployment names now; whether the topology could be read. */
  private boolean plan() {
    if (closed) {
      return false;
    }
    plannedAt = System.nanoTime();
    List<Shard> next;
    try {
      next = redis.shards();
    } catch (JedisException e) {
      log.debug("subscriptions of {}: topology unknown", prefix, e);
      return false;
    }
    boolean changed = false;
    for (Listening l : new ArrayList<>(listening.values())) {
      if (next.stream().noneMatch(l.shard()::sameAs)) {
        listening.remove(l.shard().id());
        l.subscriber().close();
        listener.onMessagesMaybeLost(l.shard().groups(), "groups " + l.shard().groups()
            + " are no longer on " + l.shard().id());
        changed = true;
      }
    }
    for (Shard shard : next) {
      if (!listening.containsKey(shard.id())) {
        InvalidationSubscriber subscriber = subscriber(shard);
        listening.put(shard.id(), new Listening(shard, subscriber));
        subscriber.start();
        changed = true;
      }
    }
    if (changed) {
      log.debug("subscriptions of {}: listening to {}", prefix, listening.keySet());
    }
    return true;
  }

  private InvalidationSubscriber subscriber(Shard shard) {
    List<byte[]> channels = new ArrayList<>();
    for (int group : shard.groups()) {
      byte[] channel = redis.pubSub().channel(prefix, group);
      if (channels.stream().noneMatch(c -> Arrays.equals(c, channel))) {
        channels.add(channel);
      }
    }
    return new InvalidationSubscriber(shard.connections(), redis.pubSub(), channels,
        "nearcache-subscriber-" + prefix + "@" + shard.id(),
        new InvalidationSubscriber.Listener() {
          @Override
          public void onMessage(InvalidationMessage message) {
            listener.onMessage(message);
          }

          @Override
          public void onMessagesMaybeLost(String reason) {
            topologyStale = true;
            listener.onMessagesMaybeLost(shard.groups(), reason);
          }

          @Override
          public void onUnreadableMessage(String reason) {
            listener.onUnreadableMessage(reason);
          }

          @Override
          public void onProbeAnswered(long roundTripNanos) {
            probeRoundTrips.accept(roundTripNanos);
          }
        });
  }

  /** Stops every subscriber; bounded waits. Idempotent. */
  @Override
  public void close() {
    List<Listening> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(listening.values());
      listening.clear();
    }
    all.forEach(l -> l.subscriber().close());
  }
}
