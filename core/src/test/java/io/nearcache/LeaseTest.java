package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Fleet-wide single flight: one load per missing key across instances, and takeover. */
@ExtendWith(RedisServerExtension.class)
class LeaseTest {
  private static final int CLIENTS = 4;
  private static final int THREADS_PER_CLIENT = 64;
  private static final Duration LOADER_TIME = Duration.ofMillis(200);

  @Test
  void aStampedeOnOneColdKeyCallsTheLoaderOnce(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, CLIENTS)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h"));
      AtomicInteger loads = new AtomicInteger();
      List<String> results = Concurrently.onEveryCache(caches, THREADS_PER_CLIENT, cache -> List.of(cache.get("cold", k -> {
        loads.incrementAndGet();
        Concurrently.pause(LOADER_TIME);
        return "value of " + k;
      })));

      assertThat(results).hasSize(CLIENTS * THREADS_PER_CLIENT).containsOnly("value of cold");
      assertThat(loads).hasValue(1);
      report("one key", caches, loads.get());
    }
  }

  /**
   * While a cache's lookups mostly miss, a lookup takes the key's lease and reads its value in one
   * pipeline, not atomically: on a key whose value is in Redis it drops the lease again at once,
   * so a later miss of that key (the value expired or was evicted) is not held up by it, and a
   * refresh can still take it.
   */
  @Test
  void aLeaseTakenOnAKeyWithAValueIsDroppedAtOnce(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h"));
      caches.get(0).put("present", "from the writer");
      DefaultNearCache<String, String> reader = caches.get(1);
      reader.get("miss-1", k -> "v");
      reader.get("miss-2", k -> "v"); // the reader's lookups now mostly miss: the lease comes first

      assertThat(reader.get("present", k -> "not loaded")).isEqualTo("from the writer");
      assertThat(reader.stats().l2Hits()).isEqualTo(1);
      assertThat(redis.<Set<String>>withJedis(j -> j.keys("*:l:present")))
          .as("no lease left on the key").isEmpty();
    }
  }

  @Test
  void aStampedeOnAHundredColdKeysCallsTheLoaderOncePerKey(RedisServer redis) throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      keys.add("key-" + i);
    }
    try (Fleet fleet = new Fleet(redis, CLIENTS)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h"));
      AtomicInteger loads = new AtomicInteger();
      AtomicInteger seed = new AtomicInteger();
      List<String> results = Concurrently.onEveryCache(caches, THREADS_PER_CLIENT, cache -> {
        List<String> order = new ArrayList<>(keys);
        Collections.shuffle(order, new Random(seed.incrementAndGet()));
        List<String> seen = new ArrayList<>();
        for (String key : order) {
          String value = cache.get(key, k -> {
            loads.incrementAndGet();
            Concurrently.pause(LOADER_TIME);
            return "value of " + k;
          });
          assertThat(value).isEqualTo("value of " + key);
          seen.add(value);
        }
        return seen;
      });

      assertThat(results).hasSize(CLIENTS * THREADS_PER_CLIENT * keys.size());
      assertThat(loads).hasValue(keys.size());
      report("100 keys", caches, loads.get());
    }
  }

  @Test
  void aHungHolderIsTakenOverAfterTheLeaseTimeout(RedisServer redis) throws Exception {
    Duration leaseTimeout = Duration.ofMillis(500);
    try (Fleet fleet = new Fleet(redis, 3)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product",
          CacheSpec.parse("localTtl=1h,remoteTtl=1h,leaseTimeout=" + leaseTimeout.toMillis() + "ms"));
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch unhang = new CountDownLatch(1);
      CompletableFuture<String> hung = CompletableFuture.supplyAsync(() ->
          caches.get(0).get("k", k -> {
            holding.countDown();
            Concurrently.awaitLatch(unhang);
            return "from the hung holder";
          }));
      assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();

      AtomicInteger takeoverLoads = new AtomicInteger();
      long start = System.nanoTime();
      List<CompletableFuture<String>> waiters = new ArrayList<>();
      for (DefaultNearCache<String, String> waiter : caches.subList(1, 3)) {
        waiters.add(CompletableFuture.supplyAsync(() -> waiter.get("k", k -> {
          takeoverLoads.incrementAndGet();
          Concurrently.pause(LOADER_TIME);
          return "from the taker";
        })));
      }
      for (CompletableFuture<String> waiter : waiters) {
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("from the taker");
      }
      Duration served = Duration.ofNanos(System.nanoTime() - start);

      assertThat(takeoverLoads).as("one waiter took over, the other read its value").hasValue(1);
      assertThat(served).as("served within lease timeout + loader time + polling slack")
          .isLessThan(leaseTimeout.plus(LOADER_TIME).plusMillis(500));
      long takeovers = caches.get(1).stats().leaseTakeovers() + caches.get(2).stats().leaseTakeovers();
      assertThat(takeovers).isEqualTo(1);
      System.out.printf("lease takeover: waiters served after %d ms (lease %d ms, loader %d ms)%n",
          served.toMillis(), leaseTimeout.toMillis(), LOADER_TIME.toMillis());

      unhang.countDown();
      assertThat(hung.get(5, TimeUnit.SECONDS)).as("the late holder still answers its caller")
          .isEqualTo("from the hung holder");
      assertThat(caches.get(0).peekLocal("k")).as("but keeps its late value out of L1").isNull();
      assertThat(caches.get(0).get("k", k -> "unexpected")).isEqualTo("from the taker");
    }
  }

  @Test
  void aFailedLoadReleasesItsLeaseAtOnce(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product",
          CacheSpec.parse("localTtl=1h,remoteTtl=1h,leaseTimeout=30s"));
      CountDownLatch holding = new CountDownLatch(1);
      CompletableFuture<String> failing = CompletableFuture.supplyAsync(() ->
          caches.get(0).get("k", k -> {
            holding.countDown();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> caches.get(1).stats().leaseWaits() == 1);
            throw new IllegalStateException("database down");
          }));
      assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() ->
          caches.get(1).get("k", k -> "loaded after the failure"));

      assertThatThrownBy(() -> failing.get(15, TimeUnit.SECONDS))
          .hasRootCauseMessage("database down");
      assertThat(waiting.get(5, TimeUnit.SECONDS)).as("well before the 30 s lease would expire")
          .isEqualTo("loaded after the failure");
      assertThat(caches.get(1).stats().leaseTakeovers()).isEqualTo(1);
    }
  }

  @Test
  void getAllLoadsOnlyTheKeysWhoseLeasesItGotAndWaitsForTheOthers(RedisServer redis)
      throws Exception {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h"));
      CountDownLatch holding = new CountDownLatch(1);
      CompletableFuture<String> holder = CompletableFuture.supplyAsync(() ->
          caches.get(0).get("x", k -> {
            holding.countDown();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> caches.get(1).stats().leaseWaits() == 1);
            return "X";
          }));
      assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
      List<Set<String>> bulkCalls = Collections.synchronizedList(new ArrayList<>());

      Map<String, String> all = caches.get(1).getAll(List.of("x", "y"), keys -> {
        bulkCalls.add(Set.copyOf(keys));
        return Map.of("y", "Y", "x", "not asked for");
      });

      assertThat(all).containsExactly(Map.entry("x", "X"), Map.entry("y", "Y"));
      assertThat(bulkCalls).containsExactly(Set.of("y"));
      assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo("X");
    }
  }

  private static void report(String what, List<DefaultNearCache<String, String>> caches,
      int loads) {
    CacheStats total = CacheStats.empty();
    for (DefaultNearCache<String, String> cache : caches) {
      total = total.plus(cache.stats());
    }
    System.out.printf("stampede on %s: %d loader calls, %d lease waits, %d lease takeovers,"
            + " %d L2 hits, %d L1 misses over %d clients%n", what, loads, total.leaseWaits(),
        total.leaseTakeovers(), total.l2Hits(), total.l1Misses(), caches.size());
  }
}
