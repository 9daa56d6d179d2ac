package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Randomized history checks on one server: three clients run a {@link History} for twenty seconds,
 * with and without faults.
 */
@ExtendWith(RedisServerExtension.class)
class HistoryCheckTest {
  /**
   * How long an invalidation may take to reach the other clients. Runs on this 2-core box measured
   * a worst lag of 5 to 19 ms, and once a 62 ms burst on one client (a scheduling or GC stall that
   * also made a write take 36 ms); the bound leaves room for such stalls, yet stays far below the
   * staleness a lost or ignored invalidation causes, which lasts until the key's next write.
   */
  static final Duration PROPAGATION_BOUND = Duration.ofMillis(150);
  /**
   * How long after a fault ends recovery may take: the PING timeout (2 s), a reconnect
   * backoff (up to 2 s), the breaker's cool-down (1 s) and the replay.
   */
  static final Duration RECOVERY_ALLOWANCE = Duration.ofSeconds(6);
  private static final Duration RUN = Duration.ofSeconds(20);
  private static final int CLIENTS = 3;

  @Test
  void noReadReturnsAValueSupersededBeforeItStarted(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, CLIENTS)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h,leaseTimeout=2s"));
      History history = new History(caches);
      history.run(RUN);

      History.Verdict verdict =
          history.check(PROPAGATION_BOUND, List.of());
      System.out.printf("history check: %d reads and %d writes checked over %d s; %d stale reads"
              + " beyond the %d ms bound; worst lag behind a completed write %.1f ms%n",
          history.reads().size(), history.writes.size(), RUN.toSeconds(),
          verdict.violations().size(), PROPAGATION_BOUND.toMillis(),
          verdict.worstLagNanos() / 1e6);
      assertThat(history.reads().size()).as("reads checked").isGreaterThan(10_000);
      assertThat(history.writes.size()).as("writes made").isGreaterThan(500);
      assertThat(verdict.violations()).isEmpty();
      history.assertSettled(
          History.storedUnderCurrentGeneration(k -> redis.withJedis(j -> j.get(k))));
    }
  }

  @Test
  void tagInvalidationsMixedInLeaveNoStaleReadBeyondTheBound(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, CLIENTS)) {
      List<DefaultNearCache<String, String>> caches = fleet.taggedCaches("product",
          CacheSpec.parse("localTtl=1h,remoteTtl=1h,leaseTimeout=2s"));
      History history = new History(caches, true);
      history.run(RUN);

      History.Verdict verdict =
          history.check(PROPAGATION_BOUND, List.of());
      System.out.printf("history check with tags: %d reads and %d writes (%d tag invalidations,"
              + " each a write of every key with the tag) checked over %d s; %d stale reads"
              + " beyond the %d ms bound; worst lag behind a completed write %.1f ms%n",
          history.reads().size(), history.writes.size(), history.tagInvalidations.get(),
          RUN.toSeconds(),
          verdict.violations().size(), PROPAGATION_BOUND.toMillis(),
          verdict.worstLagNanos() / 1e6);
      assertThat(history.reads().size()).as("reads checked").isGreaterThan(10_000);
      assertThat(history.writes.size()).as("writes made").isGreaterThan(500);
      assertThat(history.tagInvalidations).as("tag invalidations made").hasValueGreaterThan(100);
      assertThat(caches.get(0).stats().l1Hits()).as("tagged entries are served from L1")
          .isGreaterThan(history.reads().size() / 10);
      assertThat(verdict.violations()).isEmpty();
      history.assertSettled(
          History.storedUnderCurrentGeneration(k -> redis.withJedis(j -> j.get(k))));
    }
  }

  @Test
  void faultsNeverLeaveAStaleReadBeyondLocalTtlNorBeyondTheBoundOutsideTheirWindows(
      RedisServer redis) throws Exception {
    Duration localTtl = Duration.ofSeconds(10);
    List<History.Window> windows = new ArrayList<>();
    try (Fleet fleet = new Fleet(redis, CLIENTS)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product",
          CacheSpec.parse("localTtl=" + localTtl.toSeconds() + "s,remoteTtl=1h,leaseTimeout=2s"));
      History history = new History(caches);
      ScheduledExecutorService injector = Executors.newSingleThreadScheduledExecutor();
      try {
        AtomicInteger faults = new AtomicInteger();
        injector.scheduleWithFixedDelay(
            () -> windows.add(injectFault(redis, faults.getAndIncrement())), 1_500, 2_500,
            TimeUnit.MILLISECONDS);
        history.run(RUN);
      } finally {
        injector.shutdown();
        assertThat(injector.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
      if (!redis.isRunning()) {
        redis.restart();
      }

      History.Verdict beyondTtl =
          history.check(localTtl, List.of());
      History.Verdict outsideFaults =
          history.check(PROPAGATION_BOUND, windows);
      System.out.printf("history under faults: %d reads and %d writes checked over %d s, %d faults"
              + " (%s); %d stale reads beyond localTtl %d s; %d beyond the %d ms bound outside"
              + " the fault windows; worst lag %.1f ms%n",
          history.reads().size(), history.writes.size(), RUN.toSeconds(), windows.size(),
          windows.stream().map(History.Window::fault).toList(), beyondTtl.violations().size(),
          localTtl.toSeconds(), outsideFaults.violations().size(), PROPAGATION_BOUND.toMillis(),
          beyondTtl.worstLagNanos() / 1e6);
      assertThat(windows).as("faults injected").hasSizeGreaterThanOrEqualTo(5);
      assertThat(beyondTtl.violations()).isEmpty();
      assertThat(outsideFaults.violations()).isEmpty();
      history.assertSettled(
          History.storedUnderCurrentGeneration(k -> redis.withJedis(j -> j.get(k))));
    }
  }

  /** The {@code n}th fault, the three kinds in turn; returns when it has ended, with its window. */
  private static History.Window injectFault(RedisServer redis, int n) {
    long start = System.nanoTime();
    String fault;
    switch (n % 3) {
      case 0 -> {
        fault = "kill -9 and restart";
        redis.kill();
        pause(Duration.ofMillis(500));
        redis.restart();
      }
      case 1 -> {
        fault = "SIGSTOP 500 ms";
        redis.pause();
        pause(Duration.ofMillis(500));
        redis.resume();
      }
      default -> {
        fault = "CLIENT KILL TYPE pubsub";
        redis.killPubSubClients();
      }
    }
    return new History.Window(fault, start, System.nanoTime() + RECOVERY_ALLOWANCE.toNanos());
  }

  /** How long a fault lasts: the injector's own pacing, nothing waits on it. */
  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
