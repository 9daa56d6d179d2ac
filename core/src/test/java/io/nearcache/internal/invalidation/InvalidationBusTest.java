package io.nearcache.internal.invalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.CacheSpec;
import io.nearcache.internal.invalidation.InvalidationMessage.Kind;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.l2.Frame;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.redis.PubSub;
import io.nearcache.internal.redis.StandaloneRedis;
import io.nearcache.internal.resilience.Breakers;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/**
 * The bus against a real Redis, without caches around it: the change scripts number, log and
 * publish in one step, the log is read back by number, and the subscriber delivers, reports
 * losses and answers the watchdog's PING.
 */
@ExtendWith(RedisServerExtension.class)
class InvalidationBusTest {
  private static final String PREFIX = "bus";
  private static final byte[] CHANNEL = (PREFIX + ":invalidations").getBytes(
      StandardCharsets.UTF_8);

  /** What a subscriber heard, in order; "lost: reason" and "unreadable: reason" for the rest. */
  private static final class Recorder implements InvalidationSubscriber.Listener {
    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(InvalidationMessage message) {
      events.add(message);
    }

    @Override
    public void onMessagesMaybeLost(String reason) {
      events.add("lost: " + reason);
    }

    @Override
    public void onUnreadableMessage(String reason) {
      events.add("unreadable: " + reason);
    }

    Object next() throws InterruptedException {
      Object event = events.poll(5, TimeUnit.SECONDS);
      assertThat(event).as("an event within 5 s").isNotNull();
      return event;
    }
  }

  @Test
  @SuppressWarnings("try") // the subscriber works unreferenced until closed
  void everyChangeIsNumberedInItsGroupLoggedAndPublishedByItsOwnScript(RedisServer redis)
      throws Exception {
    Recorder recorder = new Recorder();
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port());
         InvalidationSubscriber subscriber = subscribe(jedis, recorder)) {
      RemoteStore store = store(jedis, "product");
      List<String> keys = keysOfGroup(3, 3);
      store.set(keys.get(0), Frame.ofValue(new byte[] {1}));
      store.delete(keys.get(1));
      store.set(keys.get(2), Frame.ofValue(new byte[] {2}));
      long generation = store.bumpGeneration();

      for (int i = 0; i < 3; i++) {
        InvalidationMessage message = (InvalidationMessage) recorder.next();
        assertThat(message.group()).isEqualTo(3);
        assertThat(message.number()).as("dense numbering in the group").isEqualTo(i + 1);
        assertThat(message.keys()).containsExactly(keys.get(i));
        assertThat(message.senderId()).isEqualTo("writer");
      }
      InvalidationMessage whole = (InvalidationMessage) recorder.next();
      assertThat(whole.kind()).isEqualTo(Kind.WHOLE_CACHE);
      assertThat(whole.group()).isZero();
      assertThat(whole.number()).as("group 0 numbers on its own").isEqualTo(1);
      assertThat(whole.generation()).isEqualTo(generation);

      InvalidationLog log = new InvalidationLog(jedis, PREFIX);
      assertThat(log.lastNumbers(List.of(3)).get(3)).isEqualTo(3);
      InvalidationLog.Replay replay = log.after(3, 1, 3);
      assertThat(replay.complete()).isTrue();
      assertThat(replay.through()).isEqualTo(3);
      assertThat(replay.entries()).containsExactly(
          new InvalidationLog.KeyChanged(2, "product", keys.get(1)),
          new InvalidationLog.KeyChanged(3, "product", keys.get(2)));
      assertThat(log.after(0, 0, 1).entries())
          .containsExactly(new InvalidationLog.CacheCleared(1, "product", generation));
    }
  }

  @Test
  void aTrimmedLogMakesAnIncompleteReplay(RedisServer redis) {
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port())) {
      RemoteStore store = store(jedis, "product");
      List<String> keys = keysOfGroup(5, 4);
      keys.forEach(store::delete);
      InvalidationLog log = new InvalidationLog(jedis, PREFIX);
      assertThat(log.after(5, 1, 4).complete()).isTrue();

      jedis.xtrim(KeyLayout.logKey(PREFIX, 5), 2, false); // entries 3 and 4 are left
      assertThat(log.after(5, 2, 4).complete()).as("starts at the first entry left").isTrue();
      InvalidationLog.Replay replay = log.after(5, 1, 4);
      assertThat(replay.complete()).as("entry 2 is gone").isFalse();
      assertThat(replay.through()).isEqualTo(4);

      jedis.xtrim(KeyLayout.logKey(PREFIX, 5), 0, false);
      assertThat(log.after(5, 3, 4).complete()).as("an emptied log").isFalse();
      assertThat(log.after(5, 4, 4).complete()).as("nothing was missed").isTrue();
    }
  }

  @Test
  void aCounterLostWhileItsLogLivesResumesAfterTheLogsLastNumber(RedisServer redis) {
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port())) {
      RemoteStore store = store(jedis, "product");
      List<String> keys = keysOfGroup(2, 3);
      store.delete(keys.get(0));
      store.delete(keys.get(1));
      jedis.del(KeyLayout.counterKey(PREFIX, 2)); // evicted, or deleted by hand
      store.delete(keys.get(2));

      InvalidationLog log = new InvalidationLog(jedis, PREFIX);
      assertThat(log.lastNumbers(List.of(2)).get(2)).isEqualTo(3);
      assertThat(log.after(2, 0, 3).entries()).extracting(InvalidationLog.Entry::number)
          .containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  @SuppressWarnings("try") // the subscriber works unreferenced until closed
  void theSubscriberReportsGarbageAndComesBackAfterItsConnectionIsKilled(RedisServer redis)
      throws Exception {
    Recorder recorder = new Recorder();
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port());
         InvalidationSubscriber subscriber = subscribe(jedis, recorder)) {
      jedis.publish(CHANNEL, message(1, "k1").encode());
      jedis.publish(CHANNEL, new byte[] {9, 9, 9});
      jedis.publish(CHANNEL, message(2, "k2").encode());
      assertThat(recorder.next()).isEqualTo(message(1, "k1"));
      assertThat((String) recorder.next())
          .startsWith("unreadable: unsupported invalidation message version 9");
      assertThat(recorder.next()).isEqualTo(message(2, "k2"));

      assertThat(redis.killPubSubClients()).isEqualTo(1);
      assertThat(recorder.next()).isEqualTo("lost: subscriber connection dropped");
      await().atMost(Duration.ofSeconds(5)).until(subscriber::isSubscribed);
      jedis.publish(CHANNEL, message(3, "after").encode());
      assertThat(recorder.next()).isEqualTo(message(3, "after"));

      subscriber.reconnect(); // what the watchdog does to a silent connection
      assertThat(recorder.next()).isEqualTo("lost: subscriber connection dropped");
      await().atMost(Duration.ofSeconds(5)).until(subscriber::isSubscribed);
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("test-subscriber"));
  }

  @Test
  @SuppressWarnings("try") // the subscriber works unreferenced until closed
  void pingProvesTheSubscriptionAliveAndAFrozenServerLeavesItSilent(RedisServer redis)
      throws Exception {
    Recorder recorder = new Recorder();
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port());
         InvalidationSubscriber subscriber = subscribe(jedis, recorder)) {
      long quiet = TimeUnit.MILLISECONDS.toNanos(300);
      await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.silentNanos() > quiet);
      subscriber.ping();
      await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.silentNanos() < quiet);

      redis.pause();
      try {
        subscriber.ping();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> subscriber.silentNanos() > TimeUnit.SECONDS.toNanos(1));
        assertThat(subscriber.isSubscribed()).as("nothing told the subscriber").isTrue();
      } finally {
        redis.resume();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.silentNanos() < quiet);
      assertThat(recorder.events).as("PONGs are no messages").isEmpty();
    }
  }

  /** {@code count} distinct keys of slot group {@code group}. */
  static List<String> keysOfGroup(int group, int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      if (SlotGroups.defaults().of("k" + i) == group) {
        keys.add("k" + i);
      }
    }
    return keys;
  }

  private static RemoteStore store(RedisClient jedis, String cache) {
    Announcer announcer = new Announcer(StandaloneRedis.of(jedis, SlotGroups.defaults()),
        SlotGroups.defaults(), PREFIX, "writer");
    return new RemoteStore(jedis, true, false, breakers(), announcer, cache,
        new KeyLayout(PREFIX, cache, SlotGroups.defaults()),
        CacheSpec.parse("remoteTtl=1m,leaseTimeout=5s"));
  }

  private static Breakers breakers() {
    return new Breakers("test", 5, Duration.ofSeconds(1), SlotGroups.defaults(), groups -> { });
  }

  /** A subscriber of the prefix's channel, already subscribed. */
  private static InvalidationSubscriber subscribe(RedisClient jedis, Recorder recorder)
      throws InterruptedException {
    InvalidationSubscriber subscriber = new InvalidationSubscriber(jedis.getPool()::getResource,
        PubSub.CLASSIC, List.of(CHANNEL), "test-subscriber", recorder);
    subscriber.start();
    assertThat(subscriber.awaitSubscribed(Duration.ofSeconds(5))).as("subscribed within 5 s")
        .isTrue();
    return subscriber;
  }

  private static InvalidationMessage message(long number, String key) {
    return new InvalidationMessage(Kind.KEYS, 1, number, 0, "other", "product", List.of(key));
  }
}
