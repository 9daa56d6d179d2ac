package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import io.nearcache.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Redis killed, paused or cut off under load: callers never see it, and recovery is automatic. */
@ExtendWith(RedisServerExtension.class)
class OutageTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  /** L1 holds a quarter of the keys, so a steady share of the load goes to Redis. */
  private static final CacheSpec SMALL_L1 = CacheSpec.parse("localMaxSize=50,localTtl=1h,remoteTtl=1h");
  private static final Duration REDIS_TIMEOUT = NearCacheClient.Builder.DEFAULT_REDIS_TIMEOUT;
  private static final int THREADS = 8;
  private static final int KEYS = 200;

  /** Eight threads reading through one client, recording how long each call took when. */
  private static final class Load implements AutoCloseable {
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Future<?>> workers = new ArrayList<>();
    private final List<long[]> calls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger wrongValues = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();

    Load(NearCache<String, String> cache) {
      for (int t = 0; t < THREADS; t++) {
        int seed = t;
        workers.add(pool.submit(() -> {
          java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
          while (running.get()) {
            String key = "k" + random.nextInt(KEYS);
            long start = System.nanoTime();
            try {
              String value = cache.get(key, k -> "value of " + k);
              if (!("value of " + key).equals(value)) {
                wrongValues.incrementAndGet();
              }
            } catch (Throwable e) {
              failures.incrementAndGet();
            }
            long end = System.nanoTime();
            calls.add(new long[] {start, end});
            completed.incrementAndGet();
          }
          return null;
        }));
      }
    }

    /** Latencies, in ms, of the calls that started in {@code [from, to)}. */
    List<Double> latenciesBetween(long from, long to) {
      List<Double> latencies = new ArrayList<>();
      synchronized (calls) {
        for (long[] call : calls) {
          if (call[0] >= from && call[0] < to) {
            latencies.add((call[1] - call[0]) / 1e6);
          }
        }
      }
      Collections.sort(latencies);
      return latencies;
    }

    /** Waits until {@code n} more calls completed, proving the load runs. */
    void awaitCalls(long n) {
      long target = completed.get() + n;
      await().atMost(Duration.ofSeconds(10)).until(() -> completed.get() >= target);
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      for (Future<?> worker : workers) {
        worker.get(10, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1,
        Math.ceil(p * sorted.size()) - 1));
  }

  @Test
  void killNineUnderLoadReachesNoCallerAndRecoversByItself(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SMALL_L1);
      long outageStart;
      long outageEnd;
      try (Load load = new Load(caches.get(0))) {
        load.awaitCalls(1_000);
        outageStart = System.nanoTime();
        redis.kill();
        await().atMost(Duration.ofSeconds(5)).until(() -> fleet.client(0).isDegraded());
        load.awaitCalls(2_000);
        outageEnd = System.nanoTime();
        redis.restart();
        long restarted = System.nanoTime();
        // Back to L2 hits: client 1 reads what client 0 fills, through Redis.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
          String key = "fresh-" + System.nanoTime();
          caches.get(0).get(key, k -> "v");
          CacheStats before = caches.get(1).stats();
          caches.get(1).get(key, k -> "v");
          return caches.get(1).stats().minus(before).l2Hits() == 1;
        });
        double recovery = (System.nanoTime() - restarted) / 1e6;
        load.awaitCalls(1_000);
        assertThat(load.failures).as("exceptions that reached callers").hasValue(0);
        assertThat(load.wrongValues).as("calls that returned something but the loader's value")
            .hasValue(0);
        List<Double> during = load.latenciesBetween(outageStart, outageEnd);
        double p99 = percentile(during, 0.99);
        System.out.printf("kill -9: %d calls during the outage, p50 %.2f ms, p99 %.2f ms, max %.2f"
                + " ms; back to L2 hits %.0f ms after the restart%n", during.size(),
            percentile(during, 0.5), p99, percentile(during, 1.0), recovery);
        assertThat(during).hasSizeGreaterThan(1_000);
        assertThat(p99).as("p99 during the outage, ms").isLessThan(REDIS_TIMEOUT.toMillis() + 400);
        assertThat(recovery).as("ms from restart to L2 hits").isLessThan(5_000);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> !fleet.client(0).isDegraded());
    }
  }

  @Test
  void aPausedRedisOpensTheBreakerWhichClosesAfterResume(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = fleet.caches("product", SMALL_L1).get(0);
      try (Load load = new Load(cache)) {
        load.awaitCalls(1_000);
        long pauseStart = System.nanoTime();
        redis.pause();
        await().atMost(Duration.ofSeconds(3)).until(() -> fleet.client(0).isDegraded());
        double opened = (System.nanoTime() - pauseStart) / 1e6;
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
        long pauseEnd = System.nanoTime();
        redis.resume();
        await().atMost(Duration.ofSeconds(5)).until(() -> !fleet.client(0).isDegraded());
        double closed = (System.nanoTime() - pauseEnd) / 1e6;
        load.awaitCalls(1_000);

        assertThat(load.failures).hasValue(0);
        assertThat(load.wrongValues).hasValue(0);
        List<Double> during = load.latenciesBetween(pauseStart, pauseEnd);
        double p99 = percentile(during, 0.99);
        System.out.printf("SIGSTOP 5 s: breaker opened %.0f ms after the pause and closed %.0f ms"
                + " after resume; %d calls during the pause, p50 %.2f ms, p99 %.2f ms, max %.2f"
                + " ms%n", opened, closed, during.size(), percentile(during, 0.5), p99,
            percentile(during, 1.0));
        assertThat(p99).as("p99 during the pause, ms").isLessThan(REDIS_TIMEOUT.toMillis() + 400);
      }
    }
  }

  @Test
  void aSilentSubscriptionIsDeclaredDeadByTheWatchdogNotLeftStale(RedisServer redis) {
    ConcurrentHashMap<String, String> database = new ConcurrentHashMap<>();
    database.put("k", "v1");
    try (Fleet writers = new Fleet(redis, 1);
         TcpProxy proxy = TcpProxy.to(redis.host(), redis.port());
         NearCacheClient readerClient = NearCacheClient.builder().redisUri(proxy.uri())
             .keyPrefix(Fleet.PREFIX).instanceId("reader").build()) {
      DefaultNearCache<String, String> reader = (DefaultNearCache<String, String>)
          readerClient.cache("product", SPEC, new StringSerializer());
      DefaultNearCache<String, String> writer = writers.caches("product", SPEC).get(0);
      assertThat(reader.get("k", database::get)).isEqualTo("v1");

      proxy.freeze(); // no error, no callback: the reader's connections just go quiet
      long frozenAt = System.nanoTime();
      database.put("k", "v2");
      writer.put("k", "v2");
      await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(reader.get("k",
          database::get)));
      double staleFor = (System.nanoTime() - frozenAt) / 1e6;
      System.out.printf("silent subscription: stale reads stopped %.0f ms after the link went"
          + " quiet (PING timeout 2000 ms)%n", staleFor);
      assertThat(staleFor).isLessThan(3_500);
      assertThat(reader.peekLocal("k")).as("the entry is kept, just not served").isEqualTo("v1");

      proxy.thaw();
      await().atMost(Duration.ofSeconds(10)).until(() -> reader.peekLocal("k") == null);
      assertThat(reader.get("k", database::get)).isEqualTo("v2");
    }
  }

  @Test
  void tooManyInvalidationsWaitingForRedisBecomeOneWholeCacheInvalidation(RedisServer redis) {
    try (Fleet others = new Fleet(redis, 1);
         TcpProxy proxy = TcpProxy.to(redis.host(), redis.port());
         NearCacheClient sender = NearCacheClient.builder().redisUri(proxy.uri())
             .keyPrefix(Fleet.PREFIX).instanceId("sender").maxPendingInvalidations(3).build()) {
      NearCache<String, String> senderCache = sender.cache("product", SPEC, new StringSerializer());
      DefaultNearCache<String, String> other = others.caches("product", SPEC).get(0);
      for (int i = 0; i < 10; i++) {
        other.get("k" + i, k -> "v1");
      }

      assertThat(sender.isInContact()).isTrue();
      proxy.cut();
      for (int i = 0; i < 5; i++) {
        senderCache.invalidate("k" + i); // 5 keys, room for 3
      }
      assertThat(sender.pendingInvalidations()).as("3 keys, and the cache that overflowed")
          .isEqualTo(4);
      await().atMost(Duration.ofSeconds(5)).until(() -> !sender.isInContact());
      proxy.restore();

      await().atMost(Duration.ofSeconds(10)).until(() -> other.estimatedSize() == 0);
      await().atMost(Duration.ofSeconds(10)).until(() -> sender.pendingInvalidations() == 0
          && sender.isInContact());
      assertThat(redis.<String>withJedis(j -> j.get(Fleet.PREFIX + ":product:{"
          + Fleet.PREFIX + ":00}:generation"))).as("the whole cache moved on").isEqualTo("1");
      assertThat(other.get("k7", k -> "v2")).as("even keys never invalidated were dropped")
          .isEqualTo("v2");
    }
  }

  @Test
  void anInvalidationMadeWhileItsSenderIsCutOffReachesTheOthersAfterRecovery(RedisServer redis)
      throws Exception {
    ConcurrentHashMap<String, String> database = new ConcurrentHashMap<>();
    database.put("k", "v1");
    try (Fleet others = new Fleet(redis, 2);
         TcpProxy proxy = TcpProxy.to(redis.host(), redis.port());
         NearCacheClient sender = NearCacheClient.builder().redisUri(proxy.uri())
             .keyPrefix(Fleet.PREFIX).instanceId("sender").build()) {
      NearCache<String, String> senderCache = sender.cache("product", SPEC, new StringSerializer());
      List<DefaultNearCache<String, String>> caches = others.caches("product", SPEC);
      caches.forEach(c -> assertThat(c.get("k", database::get)).isEqualTo("v1"));

      proxy.cut();
      database.put("k", "v2");
      senderCache.put("k", "v2"); // no exception: queued until Redis is reachable again
      assertThat(senderCache.get("k", database::get)).as("the sender serves its loader")
          .isEqualTo("v2");
      proxy.restore();

      for (DefaultNearCache<String, String> cache : caches) {
        await().atMost(Duration.ofSeconds(10)).until(() -> "v2".equals(cache.get("k",
            database::get)));
        CountDownLatch reads = new CountDownLatch(200);
        for (int i = 0; i < 200; i++) {
          assertThat(cache.get("k", database::get)).as("no stale read after recovery")
              .isEqualTo("v2");
          reads.countDown();
        }
        assertThat(reads.getCount()).isZero();
      }
    }
  }
}
