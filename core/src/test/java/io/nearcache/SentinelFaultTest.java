package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisSentinel;
import io.nearcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The history check on a primary with two replicas behind three sentinels, under a SENTINEL
 * FAILOVER (after which the old primary stays {@code role:master} for seconds, silent) and the
 * primary killed with kill -9. Outside the fault windows no read may lag a completed write beyond
 * the propagation bound; after the last repair every L1, L2 and the database agree; the worst lag
 * inside a window is printed.
 */
class SentinelFaultTest {
  private static final Duration RUN = Duration.ofSeconds(20);

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

  private static History.Window window(String fault, long start) {
    return new History.Window(fault, start,
        System.nanoTime() + HistoryCheckTest.RECOVERY_ALLOWANCE.toNanos());
  }
}
