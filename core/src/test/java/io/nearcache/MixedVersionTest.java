package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.l2.Frame;
import io.nearcache.internal.redis.PubSub;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rolling upgrade: nodes of this release share one Redis with nodes of a newer one, which may
 * write what this release cannot read. Such a node neither crashes nor serves a stale value: a
 * message of an unknown format version is lost contact (L1 dropped, then repaired), and a value
 * frame of an unknown kind is a counted miss that reloads. The newer node is played by raw writes
 * to the server, in the format a later release could use.
 */
@ExtendWith(RedisServerExtension.class)
class MixedVersionTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final Duration PROPAGATION = Duration.ofSeconds(5);
  private static final List<String> KEYS = IntStream.range(0, 10).mapToObj(i -> "k" + i).toList();
  private static final KeyLayout LAYOUT =
      new KeyLayout(Fleet.PREFIX, "product", SlotGroups.defaults());
  private static final StringSerializer SERIALIZER = new StringSerializer();

  @Test
  void aMessageOfANewerFormatDropsL1UntilRepairedAndTheNewValueIsServed(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      KEYS.forEach(k -> cache.get(k, key -> "v1"));
      KEYS.forEach(k -> assertThat(cache.peekLocal(k)).isEqualTo("v1"));
      // The newer node changes k0 and announces it in version 3 of the message format: this
      // release can tell neither which key nor which change it is.
      byte[] newer = {3, 1, 0, 0, 'a', 'n', 'y', 't', 'h', 'i', 'n', 'g'};
      redis.withJedis(j -> {
        j.set(LAYOUT.valueKey(0, "k0"), Frame.ofValue(SERIALIZER.serialize("v2")));
        return j.publish(PubSub.CLASSIC.channel(Fleet.PREFIX, 0), newer);
      });

      await().atMost(PROPAGATION)
          .until(() -> KEYS.stream().allMatch(k -> cache.peekLocal(k) == null));
      assertThat(cache.stats().flushes()).as("every slot group dropped")
          .isEqualTo(SlotGroups.defaults().count());
      CacheStats before = cache.stats();
      assertThat(cache.get("k0", key -> "loaded")).as("the newer node's value").isEqualTo("v2");
      KEYS.subList(1, KEYS.size()).forEach(k ->
          assertThat(cache.get(k, key -> "loaded")).as(k).isEqualTo("v1"));
      CacheStats read = cache.stats().minus(before);
      assertThat(read.l2Hits()).as("every key read again from Redis").isEqualTo(KEYS.size());
      assertThat(read.loadCount()).as("nothing reloaded that Redis held").isZero();

      await().atMost(PROPAGATION).until(() -> fleet.client(0).isInContact());
      cache.get("k1", key -> "loaded");
      assertThat(cache.peekLocal("k1")).as("L1 serves again once repaired").isEqualTo("v1");
      cache.put("k1", "v3");
      assertThat(cache.get("k1", key -> "loaded")).as("and the node keeps working").isEqualTo("v3");
    }
  }

  @Test
  void aValueFrameOfAnUnknownKindIsACountedMissThatReloadsAndIsNeverServed(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      byte[] unknown = {0x7F, 'f', 'r', 'o', 'm', ' ', 'a', ' ', 'l', 'a', 't', 'e', 'r'};
      redis.withJedis(j -> j.set(LAYOUT.valueKey(0, "k0"), unknown));
      AtomicInteger loads = new AtomicInteger();

      assertThat(caches.get(0).get("k0", key -> "loaded" + loads.incrementAndGet()))
          .isEqualTo("loaded1");
      assertThat(caches.get(0).stats().decodeErrors()).isEqualTo(1);
      byte[] stored = redis.withJedis(j -> j.get(LAYOUT.valueKey(0, "k0")));
      assertThat(stored).as("the unknown frame is gone from Redis").isNotEqualTo(unknown);
      assertThat(caches.get(1).get("k0", key -> "loaded" + loads.incrementAndGet()))
          .as("another node of this release").startsWith("loaded");
      assertThat(caches.get(1).stats().decodeErrors()).isZero();

      // A getAll meets the same frame among readable ones.
      redis.withJedis(j -> j.set(LAYOUT.valueKey(0, "k1"), unknown));
      caches.get(1).put("k2", "v2");
      Map<String, String> all = caches.get(1).getAll(List.of("k1", "k2"),
          missing -> Map.of("k1", "loaded-all"));
      assertThat(all).containsExactlyInAnyOrderEntriesOf(Map.of("k1", "loaded-all", "k2", "v2"));
      assertThat(caches.get(1).stats().decodeErrors()).isEqualTo(1);
    }
  }

  @Test
  void keysOfAnotherLayoutUnderTheSamePrefixChangeNothing(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      // What a later layout could add beside this one's: a value under another segment, a hash
      // where this release has no key, and a list in the group tag of the logs.
      byte[] foreignValue = "test:product:layout-3:{test:00}:v:k0".getBytes(StandardCharsets.UTF_8);
      redis.withJedis(j -> {
        j.set(foreignValue, new byte[] {0x7F, 1, 2, 3});
        j.hset("test:product:{test:00}:meta", "layout", "3");
        return j.rpush("test:{test:01}:queue", "x");
      });

      caches.get(0).put("k0", "v1");
      assertThat(caches.get(1).get("k0", key -> "loaded")).isEqualTo("v1");
      caches.get(1).put("k0", "v2");
      await().atMost(PROPAGATION).until(() -> caches.get(0).peekLocal("k0") == null);
      assertThat(caches.get(0).get("k0", key -> "loaded")).isEqualTo("v2");
      caches.get(0).invalidateAll();
      await().atMost(PROPAGATION).until(() -> caches.get(1).estimatedSize() == 0);
      assertThat(caches.get(1).get("k0", key -> "reloaded")).isEqualTo("reloaded");

      for (DefaultNearCache<String, String> cache : caches) {
        assertThat(cache.stats().decodeErrors()).as("nothing of the other layout was read")
            .isZero();
        assertThat(cache.stats().redisErrors()).isZero();
      }
      assertThat(fleet.client(0).isInContact()).isTrue();
      byte[] untouched = redis.withJedis(j -> j.get(foreignValue));
      assertThat(untouched).as("nor touched").isEqualTo(new byte[] {0x7F, 1, 2, 3});
    }
  }
}
