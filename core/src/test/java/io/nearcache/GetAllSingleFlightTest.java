package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code getAll} and {@code get} share one JVM's loads key by key: a {@code getAll} and 8
 * concurrent {@code get}s of overlapping keys call the loaders once per key, whichever starts
 * first, and none of them waits on a lease in Redis (a load in flight in the JVM is joined, not
 * polled for).
 */
@ExtendWith(RedisServerExtension.class)
class GetAllSingleFlightTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final int GETS = 8;

  private final Map<String, AtomicInteger> loadsPerKey = new ConcurrentHashMap<>();
  private final List<Set<String>> bulkCalls = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final ExecutorService pool = Executors.newFixedThreadPool(GETS + 1, task -> {
    Thread thread = new Thread(task, "reader-" + System.nanoTime());
    thread.setDaemon(true);
    return thread;
  });

  @AfterEach
  void stopThreads() {
    pool.shutdownNow();
  }

  @Test
  void getsOfKeysAGetAllIsLoadingJoinItsLoad(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = cache(fleet);
      CountDownLatch bulkStarted = new CountDownLatch(1);
      Future<Map<String, String>> all = pool.submit(() -> cache.getAll(keys(0, 10),
          missing -> bulkLoad(missing, bulkStarted)));
      Concurrently.awaitLatch(bulkStarted);

      List<Future<String>> gets = new ArrayList<>();
      Map<Future<String>, Thread> joiners = new ConcurrentHashMap<>();
      for (int i = 0; i < GETS; i++) {
        String key = "k" + (4 + i); // k4..k9 overlap the getAll, k10 and k11 do not
        CountDownLatch started = new CountDownLatch(1);
        Thread[] getter = new Thread[1];
        Future<String> get = pool.submit(() -> {
          getter[0] = Thread.currentThread();
          started.countDown();
          return cache.get(key, this::load);
        });
        Concurrently.awaitLatch(started);
        gets.add(get);
        if (4 + i < 10) {
          joiners.put(get, getter[0]);
        }
      }
      // k10 and k11 load at once; the six others block, waiting for the getAll's load.
      await().atMost(BOUND).until(() -> gets.get(6).isDone() && gets.get(7).isDone()
          && joiners.entrySet().stream().allMatch(j -> !j.getKey().isDone()
              && j.getValue().getState() == Thread.State.WAITING));
      release.countDown();

      assertThat(all.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(expected(keys(0, 10)));
      for (int i = 0; i < GETS; i++) {
        assertThat(gets.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS))
            .isEqualTo("value of k" + (4 + i));
      }
      assertOncePerKey(keys(0, 12));
      assertThat(bulkCalls).containsExactly(Set.copyOf(keys(0, 10)));
      assertThat(cache.stats().leaseWaits()).as("joined in the JVM, not polled in Redis").isZero();
    }
  }

  @Test
  void aGetAllOfKeysGetsAreLoadingJoinsTheirLoads(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = cache(fleet);
      CountDownLatch loading = new CountDownLatch(GETS);
      List<Future<String>> gets = new ArrayList<>();
      for (String key : keys(0, GETS)) {
        gets.add(pool.submit(() -> cache.get(key, k -> {
          loading.countDown();
          Concurrently.awaitLatch(release);
          return load(k);
        })));
      }
      Concurrently.awaitLatch(loading); // each get is inside its loader

      CountDownLatch bulkCalled = new CountDownLatch(1);
      Future<Map<String, String>> all = pool.submit(() -> cache.getAll(keys(4, 14),
          missing -> bulkLoad(missing, bulkCalled)));
      Concurrently.awaitLatch(bulkCalled);
      assertThat(bulkCalls).as("only the keys no get is loading")
          .containsExactly(Set.copyOf(keys(8, 14)));
      release.countDown();

      assertThat(all.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(expected(keys(4, 14)));
      for (int i = 0; i < GETS; i++) {
        assertThat(gets.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS))
            .isEqualTo("value of k" + i);
      }
      assertOncePerKey(keys(0, 14));
      assertThat(cache.stats().leaseWaits()).as("joined in the JVM, not polled in Redis").isZero();
    }
  }

  @Test
  void aGetAllJoiningALoadThatFailsThrowsItsException(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = cache(fleet);
      CountDownLatch loading = new CountDownLatch(1);
      Future<String> get = pool.submit(() -> cache.get("k0", k -> {
        loading.countDown();
        Concurrently.awaitLatch(release);
        throw new IllegalStateException("database down");
      }));
      Concurrently.awaitLatch(loading);
      CountDownLatch bulkCalled = new CountDownLatch(1);
      Future<Map<String, String>> all = pool.submit(() -> cache.getAll(keys(0, 2),
          missing -> bulkLoad(missing, bulkCalled)));
      Concurrently.awaitLatch(bulkCalled);
      release.countDown();

      assertThat(get).failsWithin(BOUND).withThrowableThat()
          .havingRootCause().withMessage("database down");
      assertThat(all).failsWithin(BOUND).withThrowableThat()
          .havingRootCause().withMessage("database down");
      assertThat(bulkCalls).containsExactly(Set.of("k1"));
      assertThat(cache.get("k0", this::load)).as("nothing cached from the failure")
          .isEqualTo("value of k0");
    }
  }

  private static DefaultNearCache<String, String> cache(Fleet fleet) {
    return fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h")).get(0);
  }

  private String load(String key) {
    loadsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    return "value of " + key;
  }

  /**
   * The bulk loader: records its call, counts {@code called} down, waits for the test's release,
   * then loads each key.
   */
  private Map<String, String> bulkLoad(Set<String> missing, CountDownLatch called) {
    bulkCalls.add(Set.copyOf(missing));
    called.countDown();
    Concurrently.awaitLatch(release);
    Map<String, String> found = new LinkedHashMap<>();
    missing.forEach(key -> found.put(key, load(key)));
    return found;
  }

  private void assertOncePerKey(List<String> keys) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    keys.forEach(k -> counts.put(k, loadsPerKey.getOrDefault(k, new AtomicInteger()).get()));
    assertThat(counts).as("loader calls per key").allSatisfy((k, n) -> assertThat(n).isOne());
  }

  private static List<String> keys(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "k" + i).toList();
  }

  private static Map<String, String> expected(List<String> keys) {
    Map<String, String> values = new LinkedHashMap<>();
    keys.forEach(k -> values.put(k, "value of " + k));
    return values;
  }
}
