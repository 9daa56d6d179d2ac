package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.testkit.RedisCluster;
import io.nearcache.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One frozen primary of a cluster turns Redis off only for the slot groups it owns: its groups
 * lose contact and its circuit breaker opens, while the keys of the healthy shards keep their L1
 * hits, their L2 and their invalidations. The cluster's node timeout is long here, so that the
 * frozen primary is not failed over during the test.
 */
class ShardOutageTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");

  /** The {@code n}th key of {@code group} named {@code other<i>}. */
  private static String keyOf(int group, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      String key = "other" + i;
      if (SlotGroups.defaults().of(key) == group && found++ == n) {
        return key;
      }
    }
  }

  @Test
  void aFrozenPrimaryTurnsRedisOffOnlyForItsGroups() {
    try (RedisCluster cluster = RedisCluster.start("--cluster-node-timeout", "30000")) {
      RedisServer groupZero = cluster.primaryOf(KeyLayout.slot(Fleet.PREFIX, 0));
      int down = SlotGroups.defaults().all().stream()
          .filter(g -> cluster.primaryOf(KeyLayout.slot(Fleet.PREFIX, g)) != groupZero)
          .findFirst().orElseThrow();
      RedisServer frozen = cluster.primaryOf(KeyLayout.slot(Fleet.PREFIX, down));
      String downKey = ClusterTest.keyOfGroup(down);
      String healthyKey = ClusterTest.keyOfGroup(0);
      String seed = groupZero.host() + ":" + groupZero.port();
      try (Fleet fleet = new Fleet(2, builder -> builder.cluster(seed))) {
        List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
        DefaultNearCache<String, String> writer = caches.get(0);
        DefaultNearCache<String, String> reader = caches.get(1);
        for (DefaultNearCache<String, String> cache : caches) {
          assertThat(cache.get(downKey, k -> "d1")).isEqualTo("d1");
          assertThat(cache.get(healthyKey, k -> "h1")).isEqualTo("h1");
        }

        frozen.pause();
        try {
          // Reads that reach the frozen primary fail until its breaker opens (or, where a
          // subscription is on it, the watchdog finds it silent first).
          int[] poked = {0};
          await().atMost(Duration.ofSeconds(10)).until(() -> {
            reader.get(keyOf(down, poked[0]++), k -> "loaded"); // a miss each time
            return !reader.servesL1();
          });
          long hits = reader.stats().l1Hits();
          long l2 = reader.stats().l2Requests();
          assertThat(reader.get(healthyKey, k -> "loaded")).isEqualTo("h1");
          assertThat(reader.stats().l1Hits()).as("a healthy group's L1 is served").isEqualTo(
              hits + 1);
          assertThat(reader.stats().l2Requests()).isEqualTo(l2);
          assertThat(reader.peekLocal(downKey)).as("kept, but not served").isEqualTo("d1");
          assertThat(reader.get(downKey, k -> "from the loader")).isEqualTo("from the loader");

          // Writes to the frozen shard fail until its breaker opens; the other shards' do not.
          await().atMost(Duration.ofSeconds(10)).until(() -> {
            writer.put(downKey, "d2");
            return fleet.client(0).isDegraded();
          });
          writer.put(healthyKey, "h2");
          await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
              assertThat(reader.get(healthyKey, k -> "loaded")).isEqualTo("h2"));
        } finally {
          frozen.resume();
        }
        // The puts that failed are redone once the breaker lets a probe through: the reader's
        // kept d1 is dropped then, announced like any invalidation.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
          for (DefaultNearCache<String, String> cache : caches) {
            assertThat(cache.servesL1()).isTrue();
            assertThat(cache.get(healthyKey, k -> "loaded")).isEqualTo("h2");
            assertThat(cache.get(downKey, k -> "d2")).isEqualTo("d2");
          }
        });
      }
    }
  }
}
