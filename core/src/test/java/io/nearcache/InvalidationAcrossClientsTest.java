package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.invalidation.InvalidationMessage;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.RedisClient;

/** Writes on one of three clients reach the other two's L1 through pub/sub. */
@ExtendWith(RedisServerExtension.class)
class InvalidationAcrossClientsTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final Duration PROPAGATION = Duration.ofSeconds(2);

  @Test
  void putOnOneClientReplacesTheValueEverywhere(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 3)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      caches.forEach(c -> assertThat(c.get("42", k -> "v1")).isEqualTo("v1"));
      caches.forEach(c -> assertThat(c.peekLocal("42")).isEqualTo("v1"));

      caches.get(0).put("42", "v2");

      assertThat(caches.get(0).peekLocal("42")).as("the writer drops its own copy too").isNull();
      for (DefaultNearCache<String, String> peer : caches) {
        await().atMost(PROPAGATION).until(() -> peer.peekLocal("42") == null);
        CacheStats before = peer.stats();
        assertThat(peer.get("42", k -> "from the loader")).isEqualTo("v2");
        assertThat(peer.stats().minus(before).l2Hits()).as("v2 came from Redis").isEqualTo(1);
      }
    }
  }

  @Test
  void invalidateOnOneClientDropsTheKeyEverywhere(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 3)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      caches.forEach(c -> c.get("42", k -> "v1"));

      caches.get(2).invalidate("42");

      assertThat(caches.get(2).peekLocal("42")).isNull();
      AtomicInteger loads = new AtomicInteger();
      for (DefaultNearCache<String, String> peer : caches.subList(0, 2)) {
        await().atMost(PROPAGATION).until(() -> peer.peekLocal("42") == null);
        assertThat(peer.get("42", k -> "v" + (1 + loads.incrementAndGet()))).isEqualTo("v2");
      }
      assertThat(loads).as("the first reader reloads, the second reads its L2 fill").hasValue(1);
    }
  }

  @Test
  void invalidateAllEmptiesTheCacheEverywhereAndInRedisReach(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 3)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      List<DefaultNearCache<String, String>> others = fleet.caches("category", SPEC);
      for (int i = 0; i < 20; i++) {
        String key = "k" + i;
        caches.forEach(c -> c.get(key, k -> "old"));
      }
      others.get(0).put("k0", "untouched");

      caches.get(1).invalidateAll();

      for (DefaultNearCache<String, String> cache : caches) {
        await().atMost(PROPAGATION).until(() -> cache.estimatedSize() == 0);
      }
      for (int i = 0; i < 20; i++) {
        String key = "k" + i;
        assertThat(caches.get(0).getIfPresent(key)).as("old L2 values are out of reach").isNull();
        assertThat(caches.get(2).get(key, k -> "new")).isEqualTo("new");
      }
      assertThat(caches.get(0).get("k3", k -> "loaded again")).isEqualTo("new");
      assertThat(others.get(2).get("k0", k -> "loaded")).as("other caches keep their entries")
          .isEqualTo("untouched");
    }
  }

  @Test
  void fillingL2AfterAMissPublishesNothing(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 2); RedisClient listener =
        RedisClient.create(redis.host(), redis.port())) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      // Everything on the channel: only changes travel on it.
      BlockingQueue<InvalidationMessage> changes = new LinkedBlockingQueue<>();
      CountDownLatch subscribed = new CountDownLatch(1);
      BinaryJedisPubSub recorder = new BinaryJedisPubSub() {
        @Override
        public void onSubscribe(byte[] channel, int count) {
          subscribed.countDown();
        }

        @Override
        public void onMessage(byte[] channel, byte[] message) {
          changes.add(InvalidationMessage.decode(message));
        }
      };
      CompletableFuture<Void> listening = CompletableFuture.runAsync(
          () -> listener.subscribe(recorder,
              (Fleet.PREFIX + ":invalidations").getBytes(StandardCharsets.UTF_8)));
      assertThat(subscribed.await(5, TimeUnit.SECONDS)).isTrue();

      caches.get(0).get("a", k -> "v");
      caches.get(1).get("a", k -> "v");
      caches.get(0).get("b", k -> "v");
      assertThat(caches.get(1).peekLocal("a")).as("client 0's fill left client 1's entry alone")
          .isEqualTo("v");
      caches.get(0).put("b", "w");

      InvalidationMessage first = changes.poll(5, TimeUnit.SECONDS);
      assertThat(first).as("the put's invalidation").isNotNull();
      assertThat(first.keys()).as("the first change on the channel is the put, no fill")
          .containsExactly("b");
      recorder.unsubscribe();
      listening.get(5, TimeUnit.SECONDS);
      assertThat(changes).as("nothing after the put").isEmpty();
    }
  }

  @Test
  void aDroppedSubscriberResubscribesAndRepairsItsL1ByItself(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      caches.get(1).get("42", k -> "v1");

      assertThat(redis.killPubSubClients()).isEqualTo(2);
      await().atMost(PROPAGATION).until(() -> redis.withJedis(
          j -> j.pubsubNumSub(Fleet.PREFIX + ":invalidations").get(Fleet.PREFIX + ":invalidations"))
          == 2);
      await().atMost(PROPAGATION).until(() -> {
        CacheStats before = caches.get(1).stats();
        caches.get(1).get("42", k -> "unexpected");
        return caches.get(1).stats().minus(before).l1Hits() == 1;
      });
      assertThat(caches.get(1).stats().flushes()).as("nothing was missed: no flush").isZero();

      caches.get(0).put("42", "v2");
      await().atMost(PROPAGATION).until(() -> caches.get(1).peekLocal("42") == null);
      assertThat(caches.get(1).get("42", k -> "unexpected")).isEqualTo("v2");
    }
  }

  @Test
  void aMessageOfAnotherReleaseDropsAllOfL1AndTheClientServesAgain(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      for (int i = 0; i < 100; i++) {
        cache.get("k" + i, k -> "v1");
      }
      byte[] future = new InvalidationMessage(InvalidationMessage.Kind.KEYS, 1, 1, 0, "newer",
          "product", List.of("k1")).encode();
      future[0] = InvalidationMessage.VERSION + 1; // its change may be in no log this node reads
      redis.withJedis(j -> j.publish((Fleet.PREFIX + ":invalidations").getBytes(
          StandardCharsets.UTF_8), future));

      await().atMost(PROPAGATION).until(() -> cache.estimatedSize() == 0);
      assertThat(cache.stats().flushes()).as("every slot group dropped").isEqualTo(16);
      await().atMost(PROPAGATION).until(cache::servesL1);
      assertThat(cache.get("k5", k -> "v2")).as("read again from Redis").isEqualTo("v1");
      assertThat(cache.peekLocal("k5")).as("and L1 filled again").isEqualTo("v1");
    }
  }
}
