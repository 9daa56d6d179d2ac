package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.l2.Frame;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The consistency sampler: no stale entry counted while invalidations flow, under writes; and
 * every entry left stale by a change that no invalidation announced (written straight into
 * Redis, as a lost invalidation would leave it) counted on every client within seconds, logged
 * and dropped, after which the clients read the new value.
 */
@ExtendWith(RedisServerExtension.class)
class ConsistencySamplingTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final int KEYS = 50;
  private static final int PER_SECOND = 200;
  private static final List<String> NAMES =
      IntStream.range(0, KEYS).mapToObj(i -> "k" + i).toList();

  private static Fleet sampling(RedisServer redis, int clients) {
    return new Fleet(clients, b -> b.redisUri(redis.uri()).consistencySampling(PER_SECOND));
  }

  @Test
  void invalidationsThatArriveLeaveNothingStale(RedisServer redis) throws InterruptedException {
    try (Fleet fleet = sampling(redis, 3)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      caches.forEach(c -> NAMES.forEach(k -> c.get(k, key -> "v0")));
      // 20 writes a second over 50 keys: an entry lives about 2.5 s, so most are old enough to
      // be compared, and many are compared while their change is in flight.
      ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
      AtomicInteger writes = new AtomicInteger();
      writer.scheduleAtFixedRate(() -> {
        int i = writes.incrementAndGet();
        String key = NAMES.get(ThreadLocalRandom.current().nextInt(KEYS));
        caches.get(i % 3).put(key, "v" + i);
        caches.get((i + 1) % 3).get(key, k -> "never");
      }, 0, 50, TimeUnit.MILLISECONDS);
      try {
        // Every client compares each of its 50 entries several times over, through the writes.
        await().atMost(Duration.ofSeconds(20)).until(() -> caches.stream()
            .allMatch(c -> c.stats().sampledEntries() >= 4L * KEYS));
      } finally {
        writer.shutdownNow();
        assertThat(writer.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(writes.get()).as("writes during the sampling").isGreaterThan(20);
      for (DefaultNearCache<String, String> cache : caches) {
        assertThat(cache.stats().staleEntries()).as("stale entries found on %s", cache)
            .isZero();
      }
    }
  }

  @Test
  void entriesLeftStaleByALostInvalidationAreCountedDroppedAndReloaded(RedisServer redis) {
    try (Fleet fleet = sampling(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      caches.forEach(c -> NAMES.forEach(k -> c.get(k, key -> "v1")));
      KeyLayout layout = new KeyLayout(Fleet.PREFIX, "product", SlotGroups.defaults());
      StringSerializer serializer = new StringSerializer();
      long started = System.nanoTime();
      // A change no invalidation announces: what every L1 keeps when its invalidation is lost.
      redis.withJedis(j -> {
        NAMES.forEach(k -> j.set(layout.valueKey(0, k),
            Frame.ofValue(serializer.serialize("v2"))));
        return null;
      });

      await().atMost(Duration.ofSeconds(15)).until(() -> caches.stream()
          .allMatch(c -> c.stats().staleEntries() == KEYS));
      long found = Duration.ofNanos(System.nanoTime() - started).toMillis();
      for (DefaultNearCache<String, String> cache : caches) {
        NAMES.forEach(k -> assertThat(cache.get(k, key -> "loaded")).as(k).isEqualTo("v2"));
        assertThat(cache.stats().staleEntries()).as("counted once each").isEqualTo(KEYS);
      }
      System.out.printf("consistency sampling at %d entries/s: %d stale entries found on each of"
          + " 2 clients within %d ms, bound %s%n", PER_SECOND, KEYS, found,
          NearCacheClient.Builder.SAMPLE_BOUND);
    }
  }
}
