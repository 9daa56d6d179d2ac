package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
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
  private static final KeyLayout LAYOUT =
      new KeyLayout(Fleet.PREFIX, "product", SlotGroups.defaults());

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
   * A cache without a grace keeps a load's lease in the key's value key, where every reader takes
   * it for no value (not for a value that does not decode), and the load's write replaces it.
   */
  @Test
  void aLoadHoldsItsLeaseInTheValueKeyWhereReadersFindNoValue(RedisServer redis)
      throws Exception {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h"));
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<String> loader = loadHeldUntil(release, caches.get(0), "k", "loaded");

      byte[] held = redis.<byte[]>withJedis(j -> j.get(LAYOUT.valueKey(0, "k")));
      assertThat(held).as("a lease frame in the value key").isNotNull();
      assertThat(held[0]).isEqualTo((byte) 3);
      assertThat(redis.<Set<String>>withJedis(j -> j.keys("*:l:*"))).as("no lease key").isEmpty();
      assertThat(caches.get(1).getIfPresent("k")).isNull();
      assertThat(caches.get(1).stats().decodeErrors()).isZero();
      release.countDown();

      assertThat(loader.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
      assertThat(caches.get(1).get("k", k -> "not loaded")).isEqualTo("loaded");
      assertThat(caches.get(1).stats().loadCount()).isZero();
      assertThat(caches.get(1).stats().decodeErrors()).isZero();
    }
  }

  /**
   * A lookup of a key whose value is in Redis answers it and takes no lease: {@code SET NX GET}
   * leaves the value and its TTL as they were.
   */
  @Test
  void aLookupOfAKeyWithAValueLeavesItAsItIs(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h"));
      caches.get(0).put("present", "from the writer");
      byte[] written = redis.<byte[]>withJedis(j -> j.get(LAYOUT.valueKey(0, "present")));
      DefaultNearCache<String, String> reader = caches.get(1);
      reader.get("miss-1", k -> "v");
      reader.get("miss-2", k -> "v"); // the reader's lookups now mostly miss: the lease comes first

      assertThat(reader.get("present", k -> "not loaded")).isEqualTo("from the writer");
      assertThat(reader.stats().l2Hits()).isEqualTo(1);
      assertThat(redis.<byte[]>withJedis(j -> j.get(LAYOUT.valueKey(0, "present"))))
          .isEqualTo(written);
      assertThat(redis.<Long>withJedis(j -> j.pttl(LAYOUT.valueKey(0, "present"))))
          .as("the remote TTL, not the lease's").isGreaterThan(Duration.ofMinutes(59).toMillis());
    }
  }

  /**
   * A cache with a {@code staleIfError} grace keeps its leases in keys of their own; run without a
   * grace on another node, the same cache leases in the value key, and the node with the grace
   * waits for that lease too instead of loading beside it.
   */
  @Test
  void aNodeWithAGraceWaitsForALeaseTakenInTheValueKey(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 2)) {
      NearCache<String, String> plain = fleet.client(0).cache("product",
          CacheSpec.parse("localTtl=1h,remoteTtl=1h"), new StringSerializer());
      NearCache<String, String> graced = fleet.client(1).cache("product",
          CacheSpec.parse("localTtl=1h,remoteTtl=1h,staleIfError=1m"), new StringSerializer());
      CountDownLatch loading = new CountDownLatch(1);
      CompletableFuture<String> holder = CompletableFuture.supplyAsync(() ->
          plain.get("k", k -> {
            loading.countDown();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> graced.stats().leaseWaits() == 1);
            return "from the plain node";
          }));
      assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
      AtomicInteger gracedLoads = new AtomicInteger();

      assertThat(graced.get("k", k -> "graced " + gracedLoads.incrementAndGet()))
          .isEqualTo("from the plain node");
      assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo("from the plain node");
      assertThat(gracedLoads).hasValue(0);
      assertThat(graced.stats().decodeErrors()).isZero();
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
      CountDownLatch unhang = new CountDownLatch(1);
      CompletableFuture<String> hung =
          loadHeldUntil(unhang, caches.get(0), "k", "from the hung holder");

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

  /**
   * Starts {@code cache.get(key)} on another thread and returns once its loader runs; the loader
   * returns {@code value} when {@code release} opens.
   */
  private static CompletableFuture<String> loadHeldUntil(CountDownLatch release,
      NearCache<String, String> cache, String key, String value) throws InterruptedException {
    CountDownLatch loading = new CountDownLatch(1);
    CompletableFuture<String> load = CompletableFuture.supplyAsync(() -> cache.get(key, k -> {
      loading.countDown();
      Concurrently.awaitLatch(release);
      return value;
    }));
    assertThat(loading.await(5, TimeUnit.SECONDS)).as("the loader runs").isTrue();
    return load;
  }
}
