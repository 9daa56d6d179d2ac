package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.invalidation.InvalidationMessage;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;

/**
 * A client that missed invalidations repairs its L1 from the invalidation logs: it drops exactly
 * the keys that changed while it was away, and flushes only when the logs no longer reach back.
 */
class ReplayTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final int KEYS = 1_000;
  private static final int CHANGED = 500;
  private static final byte[] CHANNEL = "replay:invalidations".getBytes(StandardCharsets.UTF_8);

  /** A reader reaching Redis through a proxy that can be cut, and a writer reaching it directly. */
  private static final class Pair implements AutoCloseable {
    final TcpProxy proxy;
    final NearCacheClient readerClient;
    final NearCacheClient writerClient;
    final DefaultNearCache<String, String> reader;
    final DefaultNearCache<String, String> writer;
    final Map<String, String> database = new ConcurrentHashMap<>();

    Pair(RedisServer redis) {
      proxy = TcpProxy.to(redis.host(), redis.port());
      readerClient = NearCacheClient.builder().redisUri(proxy.uri()).keyPrefix("replay")
          .instanceId("reader").build();
      writerClient = NearCacheClient.builder().redisUri(redis.uri()).keyPrefix("replay")
          .instanceId("writer").build();
      reader = (DefaultNearCache<String, String>)
          readerClient.cache("product", SPEC, new StringSerializer());
      writer = (DefaultNearCache<String, String>)
          writerClient.cache("product", SPEC, new StringSerializer());
      for (int i = 0; i < KEYS; i++) {
        database.put("k" + i, "v1");
        assertThat(reader.get("k" + i, database::get)).isEqualTo("v1");
      }
    }

    /** Cuts the reader off, changes the first {@value #CHANGED} keys, reconnects the reader. */
    void changeWhileCutOff(Runnable beforeReconnect) {
      proxy.cut();
      for (int i = 0; i < CHANGED; i++) {
        database.put("k" + i, "v2");
        if (i % 2 == 0) {
          writer.put("k" + i, "v2");
        } else {
          writer.invalidate("k" + i);
        }
      }
      beforeReconnect.run();
      proxy.restore();
    }

    @Override
    public void close() {
      writerClient.close();
      readerClient.close();
      proxy.close();
    }
  }

  @Test
  void aClientThatMissedFiveHundredChangesDropsExactlyThose() {
    try (RedisServer redis = RedisServer.start(); Pair pair = new Pair(redis)) {
      pair.changeWhileCutOff(() -> { });

      await().atMost(Duration.ofSeconds(15))
          .until(() -> pair.reader.stats().replayedInvalidations() >= CHANGED);
      CacheStats stats = pair.reader.stats();
      System.out.printf("replay: %d logged invalidations applied, %d flushes%n",
          stats.replayedInvalidations(), stats.flushes());
      assertThat(stats.replayedInvalidations()).isEqualTo(CHANGED);
      assertThat(stats.flushes()).isZero();
      List<String> kept = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        String value = pair.reader.peekLocal("k" + i);
        if (i < CHANGED) {
          assertThat(value).as("changed key k%d", i).isNull();
        } else if (value != null) {
          kept.add("k" + i);
        }
      }
      assertThat(kept).as("unchanged keys stay in L1").hasSize(KEYS - CHANGED);
      for (int i = 0; i < KEYS; i++) {
        assertThat(pair.reader.get("k" + i, pair.database::get)).isEqualTo(i < CHANGED ? "v2" : "v1");
      }
    }
  }

  @Test
  void whenALogNoLongerReachesBackOnlyItsGroupIsDropped() {
    Set<Integer> trimmed = Set.of(1, 2);
    try (RedisServer redis = RedisServer.start(); Pair pair = new Pair(redis)) {
      pair.changeWhileCutOff(() -> redis.withJedis(j -> {
        trimmed.forEach(group -> j.xtrim(KeyLayout.logKey("replay", group), 0, false));
        return null;
      }));

      await().atMost(Duration.ofSeconds(15)).until(() ->
          pair.reader.stats().flushes() >= trimmed.size() && pair.reader.servesL1());
      CacheStats stats = pair.reader.stats();
      System.out.printf("trimmed logs of groups %s: %d groups dropped, %d logged invalidations"
          + " replayed%n", trimmed, stats.flushes(), stats.replayedInvalidations());
      assertThat(stats.flushes()).as("one flush per trimmed group").isEqualTo(trimmed.size());
      long changedInTrimmed = 0;
      for (int i = 0; i < KEYS; i++) {
        String key = "k" + i;
        boolean dropped = trimmed.contains(SlotGroups.defaults().of(key));
        if (i < CHANGED && dropped) {
          changedInTrimmed++;
        }
        if (i < CHANGED || dropped) {
          assertThat(pair.reader.peekLocal(key)).as("L1 of %s", key).isNull();
        } else {
          assertThat(pair.reader.peekLocal(key)).as("untouched group keeps %s", key)
              .isEqualTo("v1");
        }
      }
      assertThat(stats.replayedInvalidations()).as("the other groups replayed exactly")
          .isEqualTo(CHANGED - changedInTrimmed);
      for (int i = 0; i < KEYS; i++) {
        assertThat(pair.reader.get("k" + i, pair.database::get)).isEqualTo(i < CHANGED ? "v2" : "v1");
      }
    }
  }

  /**
   * A node of a later release logged a change of a kind this one cannot read: the group it is in
   * is dropped, not half repaired, and the other groups replay as usual.
   */
  @Test
  void aLoggedChangeOfAnUnknownKindDropsItsGroup() {
    int group = 3;
    try (RedisServer redis = RedisServer.start(); Pair pair = new Pair(redis)) {
      pair.changeWhileCutOff(() -> redis.withJedis(j -> {
        long next = j.incr(KeyLayout.counterKey("replay", group));
        j.xadd(KeyLayout.logKey("replay", group), new StreamEntryID(0, next),
            Map.of("c", "product", "x", "a change of a later release"));
        return null;
      }));

      await().atMost(Duration.ofSeconds(15)).until(() ->
          pair.reader.stats().flushes() >= 1 && pair.reader.servesL1());
      assertThat(pair.reader.stats().flushes()).as("only that group").isEqualTo(1);
      for (int i = CHANGED; i < KEYS; i++) {
        String key = "k" + i;
        assertThat(pair.reader.peekLocal(key)).as("L1 of %s", key)
            .isEqualTo(SlotGroups.defaults().of(key) == group ? null : "v1");
      }
      for (int i = 0; i < KEYS; i++) {
        assertThat(pair.reader.get("k" + i, pair.database::get))
            .isEqualTo(i < CHANGED ? "v2" : "v1");
      }
    }
  }

  @Test
  void aSubscriberThatRedisDisconnectsForFallingBehindRepairsItself() {
    // Any pub/sub backlog beyond 1 kb gets a subscriber disconnected at once.
    try (RedisServer redis = RedisServer.start("--client-output-buffer-limit", "pubsub", "1kb",
        "1kb", "0"); Pair pair = new Pair(redis)) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        keys.add("k" + i);
      }
      // A burst of messages, pipelined so Redis queues them faster than anyone reads, while the
      // writer's real invalidations go out beside it. Numbered 0, which no change script assigns:
      // a message with a real number would stand for that change, and the log would not be asked.
      CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> redis.withJedis(j -> {
        Pipeline pipeline = j.pipelined();
        for (int i = 1; i <= 20_000; i++) {
          String key = "k" + i % KEYS;
          pipeline.publish(CHANNEL, new InvalidationMessage(InvalidationMessage.Kind.KEYS,
              SlotGroups.defaults().of(key), 0, 0, "flood", "product", List.of(key)).encode());
        }
        pipeline.sync();
        return null;
      }));
      keys.parallelStream().forEach(key -> {
        pair.database.put(key, "v2");
        pair.writer.invalidate(key);
      });
      flood.join();

      long disconnected = redis.log().lines()
          .filter(line -> line.contains("overcoming of output buffer limits")).count();
      System.out.printf("flood: Redis disconnected %d subscribers for their output buffer%n",
          disconnected);
      assertThat(disconnected).as("the flood got subscribers disconnected").isPositive();
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        for (String key : keys) {
          assertThat(pair.reader.peekLocal(key)).as("L1 of %s", key).isIn(null, "v2");
        }
      });
      for (String key : keys) {
        assertThat(pair.reader.get(key, pair.database::get)).isEqualTo("v2");
      }
    }
  }
}
