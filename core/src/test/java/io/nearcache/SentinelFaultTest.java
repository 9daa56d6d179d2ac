package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.testkit.RedisSentinel;
import io.nearcache.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The history check on a primary with two replicas behind three sentinels, under a SENTINEL
 * FAILOVER (after which the old primary stays {@code role:master} for seconds, silent) and the
 * primary killed with kill -9. Outside the fault windows no read may lag a completed write beyond
 * the propagation bound; after the last repair every L1, L2 and the database agree; the worst lag
 * inside a window is printed. Also: what a failover costs.
 */
class SentinelFaultTest {
  private static final Duration RUN = Duration.ofSeconds(20);
  private static final int CLIENTS = 3;

  @Test
  void failoversNeverLeaveAStaleReadOutsideTheirWindows() throws Exception {
    List<History.Window> windows = new ArrayList<>();
    try (RedisSentinel sentinel = RedisSentinel.start()) {
      String[] sentinels = sentinel.sentinels().stream().map(Object::toString)
          .toArray(String[]::new);
      try (Fleet fleet = new Fleet(3,
          builder -> builder.sentinel(sentinel.masterName(), sentinels))) {
        List<DefaultNearCache<String, String>> caches = fleet.caches("product",
            CacheSpec.parse("localTtl=1h,remoteTtl=1h,leaseTimeout=2s"));
        History history = new History(caches);
        ExecutorService injector = Executors.newSingleThreadExecutor();
        Future<?> faults = injector.submit(() -> {
          Concurrently.pause(Duration.ofSeconds(2));
          long start = System.nanoTime();
          sentinel.failover();
          windows.add(window("SENTINEL FAILOVER", start));
          Concurrently.pause(Duration.ofSeconds(5));
          start = System.nanoTime();
          RedisServer primary = sentinel.primary();
          primary.kill();
          sentinel.awaitPrimaryOtherThan(primary);
          windows.add(window("kill -9 of the primary", start));
          return null;
        });
        history.run(RUN);
        faults.get(60, TimeUnit.SECONDS);
        injector.shutdown();

        History.FaultVerdict verdict =
            history.judge(windows, HistoryCheckTest.PROPAGATION_BOUND);
        int reads = history.reads().size();
        verdict.print("sentinel", windows, reads, history.writes.size(),
            HistoryCheckTest.PROPAGATION_BOUND);
        assertThat(windows).hasSize(2);
        assertThat(reads).as("reads checked").isGreaterThan(10_000);
        assertThat(verdict.outside().violations()).isEmpty();
        assertThat(verdict.after().violations()).isEmpty();
        history.assertSettled(History.storedUnderCurrentGeneration(
            k -> sentinel.primary().withJedis(j -> j.get(k))));
      }
    }
  }

  /**
   * A failover gives all 16 groups a new history at once. Every client drops every group from L1,
   * but each cache moves to a new generation once across the fleet, not once per group or per
   * client: the healed set holds the new primary's replication ID alone. The cost is a reload of
   * what the caches held, printed.
   */
  @Test
  void aFailoverMovesEachCacheToANewGenerationOnce() {
    try (RedisSentinel sentinel = RedisSentinel.start()) {
      String[] sentinels = sentinel.sentinels().stream().map(Object::toString)
          .toArray(String[]::new);
      try (Fleet fleet = new Fleet(CLIENTS,
          builder -> builder.sentinel(sentinel.masterName(), sentinels))) {
        List<String> names = List.of("product", "category");
        List<List<DefaultNearCache<String, String>>> caches = names.stream()
            .map(name -> fleet.caches(name, CacheSpec.parse("localTtl=1h,remoteTtl=1h")))
            .toList();
        List<String> keys = IntStream.range(0, 64).mapToObj(i -> "k" + i).toList();
        AtomicInteger loads = new AtomicInteger();
        caches.forEach(cache -> cache.forEach(client -> keys.forEach(
            key -> client.get(key, k -> "v" + loads.incrementAndGet()))));
        assertThat(loads).as("one load per key and cache").hasValue(keys.size() * names.size());
        long flushedBefore = flushes(caches);

        RedisServer promoted = sentinel.failover();
        String history = promoted.withJedis(j -> j.info("replication")).lines()
            .filter(line -> line.startsWith("master_replid:")).findFirst().orElseThrow()
            .substring("master_replid:".length()).strip();
        int groups = SlotGroups.defaults().count();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
            assertThat(flushes(caches) - flushedBefore).as("every client dropped every group")
                .isEqualTo((long) groups * CLIENTS * names.size()));

        for (String name : names) {
          KeyLayout layout = new KeyLayout(Fleet.PREFIX, name, SlotGroups.defaults());
          assertThat(promoted.<Set<String>>withJedis(j -> j.smembers(
              new String(layout.healedKey(), StandardCharsets.UTF_8))))
              .as("%s: losses healed", name).containsExactly(history);
          assertThat(promoted.<String>withJedis(j -> j.get(
              new String(layout.generationKey(), StandardCharsets.UTF_8))))
              .as("%s: generation", name).isEqualTo("1");
        }
        int loadsBefore = loads.get();
        caches.forEach(cache -> keys.forEach(key -> cache.get(0).get(key,
            k -> "v" + loads.incrementAndGet())));
        assertThat(loads.get() - loadsBefore).as("the cost: what the caches held is reloaded")
            .isEqualTo(keys.size() * names.size());
        System.out.printf("SENTINEL FAILOVER: %d clients x %d caches dropped %d groups each;"
            + " each cache moved to generation 1 once; %d keys reloaded%n", CLIENTS,
            names.size(), groups, loads.get() - loadsBefore);
      }
    }
  }

  private static long flushes(List<List<DefaultNearCache<String, String>>> caches) {
    return caches.stream().flatMap(List::stream).mapToLong(c -> c.stats().flushes()).sum();
  }

  private static History.Window window(String fault, long start) {
    return new History.Window(fault, start,
        System.nanoTime() + HistoryCheckTest.RECOVERY_ALLOWANCE.toNanos());
  }
}
