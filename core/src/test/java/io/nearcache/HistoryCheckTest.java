package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.l2.Frame;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Randomized history checks. Three clients and sixteen threads read (99%), put (0.5%) and
 * invalidate (0.5%) a small key space for twenty seconds against a "database" (a map of per-key
 * version numbers that each write increments under a per-key lock, as a row lock would). Every
 * operation is recorded with its start and end. The checker then looks for reads that returned a
 * version older than a write that had completed before the read started, and by how much.
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
  private static final int THREADS = 16;
  private static final int KEYS = 8;
  private static final List<String> KEY_NAMES =
      IntStream.range(0, KEYS).mapToObj(i -> "k" + i).toList();

  record Read(int client, String key, long version, long start, long end) {}

  record Write(int client, String key, long version, boolean put, long start, long end) {}

  /** A span of time, in {@link System#nanoTime()}, in which a fault was active or recovering. */
  record Window(String fault, long start, long end) {
    boolean contains(long time) {
      return time >= start && time <= end;
    }
  }

  /** The reads that broke a bound, and how far behind the worst stale read was. */
  record Verdict(List<Read> violations, long worstLagNanos) {}

  @Test
  void noReadReturnsAValueSupersededBeforeItStarted(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, CLIENTS)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h,leaseTimeout=2s"));
      History history = new History(caches);
      history.run();

      Verdict verdict = check(history.reads(), history.writes, PROPAGATION_BOUND, List.of());
      System.out.printf("history check: %d reads and %d writes checked over %d s; %d stale reads"
              + " beyond the %d ms bound; worst lag behind a completed write %.1f ms%n",
          history.reads().size(), history.writes.size(), RUN.toSeconds(),
          verdict.violations().size(), PROPAGATION_BOUND.toMillis(), verdict.worstLagNanos() / 1e6);
      assertThat(history.reads().size()).as("reads checked").isGreaterThan(10_000);
      assertThat(history.writes.size()).as("writes made").isGreaterThan(500);
      assertThat(verdict.violations()).isEmpty();
      history.assertSettled(redis);
    }
  }

  @Test
  void faultsNeverLeaveAStaleReadBeyondLocalTtlNorBeyondTheBoundOutsideTheirWindows(
      RedisServer redis) throws Exception {
    Duration localTtl = Duration.ofSeconds(10);
    List<Window> windows = new ArrayList<>();
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
        history.run();
      } finally {
        injector.shutdown();
        assertThat(injector.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
      if (!redis.isRunning()) {
        redis.restart();
      }

      Verdict beyondTtl = check(history.reads(), history.writes, localTtl, List.of());
      Verdict outsideFaults = check(history.reads(), history.writes, PROPAGATION_BOUND, windows);
      System.out.printf("history under faults: %d reads and %d writes checked over %d s, %d faults"
              + " (%s); %d stale reads beyond localTtl %d s; %d beyond the %d ms bound outside"
              + " the fault windows; worst lag %.1f ms%n",
          history.reads().size(), history.writes.size(), RUN.toSeconds(), windows.size(),
          windows.stream().map(Window::fault).toList(), beyondTtl.violations().size(),
          localTtl.toSeconds(), outsideFaults.violations().size(), PROPAGATION_BOUND.toMillis(),
          beyondTtl.worstLagNanos() / 1e6);
      assertThat(windows).as("faults injected").hasSizeGreaterThanOrEqualTo(5);
      assertThat(beyondTtl.violations()).isEmpty();
      assertThat(outsideFaults.violations()).isEmpty();
      history.assertSettled(redis);
    }
  }

  /** The {@code n}th fault, the three kinds in turn; returns when it has ended, with its window. */
  private static Window injectFault(RedisServer redis, int n) {
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
    return new Window(fault, start, System.nanoTime() + RECOVERY_ALLOWANCE.toNanos());
  }

  /** How long a fault lasts: the injector's own pacing, nothing waits on it. */
  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The workload over some caches, and what it recorded. */
  private static final class History {
    private final List<DefaultNearCache<String, String>> caches;
    private final Map<String, Long> database = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> rowLocks = new ConcurrentHashMap<>();
    private final List<ReadLog> readLogs = new ArrayList<>();
    final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();

    History(List<DefaultNearCache<String, String>> caches) {
      this.caches = caches;
      for (String key : KEY_NAMES) {
        database.put(key, 0L);
        rowLocks.put(key, new ReentrantLock());
      }
    }

    void run() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      long stopAt = System.nanoTime() + RUN.toNanos();
      List<Future<?>> workers = new ArrayList<>();
      try {
        for (int t = 0; t < THREADS; t++) {
          int client = t % CLIENTS;
          DefaultNearCache<String, String> cache = caches.get(client);
          SplittableRandom random = new SplittableRandom(t);
          ReadLog readLog = new ReadLog(client);
          readLogs.add(readLog);
          workers.add(pool.submit(() -> {
            start.await();
            while (System.nanoTime() < stopAt) {
              operate(client, cache, random, readLog);
              // An app thread does other work between cache calls; without this, sixteen threads
              // spinning on sub-microsecond L1 hits starve the subscriber threads of the 2 cores.
              Thread.yield();
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> worker : workers) {
          worker.get(RUN.toSeconds() + 60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }

    private void operate(int client, DefaultNearCache<String, String> cache,
        SplittableRandom random, ReadLog readLog) {
      int keyIndex = random.nextInt(KEYS);
      String key = KEY_NAMES.get(keyIndex);
      int dice = random.nextInt(1000);
      if (dice < 990) {
        long begin = System.nanoTime();
        String value = cache.get(key, k -> Long.toString(database.get(k)));
        readLog.add(keyIndex, Long.parseLong(value), begin, System.nanoTime());
        return;
      }
      ReentrantLock row = rowLocks.get(key);
      row.lock();
      try {
        long begin = System.nanoTime();
        long version = database.merge(key, 1L, Long::sum);
        if (dice < 995) {
          cache.put(key, Long.toString(version));
        } else {
          cache.invalidate(key);
        }
        writes.add(new Write(client, key, version, dice < 995, begin, System.nanoTime()));
      } finally {
        row.unlock();
      }
    }

    List<Read> reads() {
      List<Read> reads = new ArrayList<>();
      readLogs.forEach(log -> log.addTo(reads));
      return reads;
    }

    /** Writes have stopped: once the last invalidations land, L1, Redis and the database agree. */
    void assertSettled(RedisServer redis) {
      for (String key : KEY_NAMES) {
        String truth = Long.toString(database.get(key));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
          for (DefaultNearCache<String, String> cache : caches) {
            assertThat(cache.get(key, k -> Long.toString(database.get(k)))).isEqualTo(truth);
            assertThat(cache.peekLocal(key)).as("L1 of %s", key).isIn(null, truth);
          }
        });
        byte[] stored = redis.withJedis(j -> j.get(ReadPathTest.keyOf("product", key)));
        if (stored != null) {
          assertThat(new String(Frame.payload(stored), StandardCharsets.UTF_8))
              .as("Redis value of %s", key).isEqualTo(truth);
        }
      }
    }
  }

  /**
   * One thread's reads as primitives: recording millions of reads as objects grew a live set that
   * cost 100-230 ms GC pauses, which showed up as propagation delay.
   */
  private static final class ReadLog {
    private final int client;
    private long[] data = new long[4 << 16];
    private int size;

    ReadLog(int client) {
      this.client = client;
    }

    void add(int key, long version, long start, long end) {
      if (size + 4 > data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = key;
      data[size++] = version;
      data[size++] = start;
      data[size++] = end;
    }

    void addTo(List<Read> reads) {
      for (int i = 0; i < size; i += 4) {
        reads.add(new Read(client, KEY_NAMES.get((int) data[i]), data[i + 1], data[i + 2],
            data[i + 3]));
      }
    }
  }

  /**
   * For each read, finds the write of its key that superseded the version it returned. If that
   * write had completed before the read started, the read lagged by the difference; a lag beyond
   * {@code bound} is a violation, unless the read started inside one of {@code excused}.
   */
  static Verdict check(Collection<Read> reads, Collection<Write> writes, Duration bound,
      List<Window> excused) {
    Map<String, List<Write>> byKey = new ConcurrentHashMap<>();
    for (Write write : writes) {
      byKey.computeIfAbsent(write.key(), k -> new ArrayList<>()).add(write);
    }
    byKey.values().forEach(list -> list.sort(Comparator.comparingLong(Write::version)));
    List<Read> violations = new ArrayList<>();
    long worstLag = 0;
    for (Read read : reads) {
      // Each key's versions run 1, 2, 3, ...: the write of version v + 1 sits at index v.
      List<Write> keyWrites = byKey.getOrDefault(read.key(), List.of());
      if (read.version() >= keyWrites.size()) {
        continue; // the newest version: nothing superseded it
      }
      Write superseding = keyWrites.get((int) read.version());
      long lag = read.start() - superseding.end();
      if (excused.stream().anyMatch(w -> w.contains(read.start()))) {
        continue;
      }
      worstLag = Math.max(worstLag, lag);
      if (lag > bound.toNanos()) {
        System.out.printf("stale: %s lagged %.1f ms behind %s%n", read, lag / 1e6, superseding);
        violations.add(read);
      }
    }
    return new Verdict(violations, worstLag);
  }
}
