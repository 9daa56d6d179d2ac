package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.l2.Frame;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * A randomized history of reads (99%), puts (0.5%) and invalidations (0.5%) of a small key space
 * (or, over tagged caches, puts 0.5%, invalidations 0.2% and tag invalidations 0.3%) by sixteen
 * threads over some caches, against a "database" (a map of per-key version numbers that
 * each write increments under a per-key lock, as a row lock would). Every operation is recorded
 * with its start and end; {@link #check} then looks for reads that returned a version older than
 * a write that had completed before the read started, and by how much. Time in which the whole JVM
 * stood still (a collector's pause: a sleeping thread measures it, as jHiccup does) is not counted
 * in that lag, and a read it made late is printed as such. Used by the history checks of each
 * deployment.
 */
final class History {
  static final int THREADS = 16;
  /** How late a one-millisecond sleep must wake for the JVM to count as having stood still. */
  private static final long STALL_MILLIS = 20;
  static final int KEYS = 8;
  static final List<String> KEY_NAMES =
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

  /**
   * A history under faults, judged: reads outside the fault windows and after the last one
   * against {@code bound}, and the worst lag of reads inside a window.
   */
  record FaultVerdict(Verdict outside, Verdict after, Verdict inside) {
    /** Prints the figures, naming the deployment and the faults. */
    void print(String deployment, List<Window> windows, int reads, int writes, Duration bound) {
      System.out.printf("%s history under faults (%s): %d reads and %d writes; %d stale beyond"
              + " %d ms outside the windows, %d after the last repair; worst lag inside a"
              + " window %.1f ms, outside %.1f ms%n",
          deployment, windows.stream().map(Window::fault).toList(), reads, writes,
          outside.violations().size(), bound.toMillis(), after.violations().size(),
          inside.worstLagNanos() / 1e6, outside.worstLagNanos() / 1e6);
    }
  }

  /**
   * What Redis holds for a key of cache "product" under the cache's current generation: a failover
   * or a restart moves the cache to a new one, and values of older ones are unreachable.
   *
   * @param get a GET on the deployment, routed as it needs
   */
  static Function<String, byte[]> storedUnderCurrentGeneration(Function<byte[], byte[]> get) {
    KeyLayout layout = new KeyLayout(Fleet.PREFIX, "product", SlotGroups.defaults());
    return key -> {
      byte[] generation = get.apply(layout.generationKey());
      long current = generation == null ? 0
          : Long.parseLong(new String(generation, StandardCharsets.US_ASCII));
      return get.apply(layout.valueKey(current, key));
    };
  }

  /** Judges this history's reads against {@code bound}, excusing those inside {@code windows}. */
  FaultVerdict judge(List<Window> windows, Duration bound) {
    List<Read> reads = reads();
    long afterLast = windows.stream().mapToLong(Window::end).max().orElse(Long.MIN_VALUE);
    return new FaultVerdict(check(reads, writes, bound, windows, stalls),
        check(reads.stream().filter(r -> r.start() > afterLast).toList(), writes, bound,
            List.of(), stalls),
        check(reads.stream().filter(r -> windows.stream().anyMatch(w -> w.contains(r.start())))
            .toList(), writes, Duration.ofDays(1), List.of(), stalls));
  }

  /**
   * Judges this history's reads against {@code bound}, excusing those that start inside {@code
   * excused}; the time the JVM stood still ({@link #stalls}) is not counted against the bound.
   */
  Verdict check(Duration bound, List<Window> excused) {
    return check(reads(), writes, bound, excused, stalls);
  }

  /** Over tagged caches, key {@code k<i>} carries the tag {@code t<i % TAGS>}. */
  static final int TAGS = 3;

  private final List<DefaultNearCache<String, String>> caches;
  private final boolean tagged;
  private final Map<String, Long> database = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> rowLocks = new ConcurrentHashMap<>();
  private final List<ReadLog> readLogs = new ArrayList<>();
  /**
   * When the JVM stood still during the run (a collector's pause, the OS not scheduling it): a
   * thread that sleeps a millisecond at a time and woke {@value #STALL_MILLIS} ms or more late.
   * Every thread stood still then, the subscribers too: a read right after a stall may precede
   * the message that was on its way, through no fault of the library.
   */
  private final List<Window> stalls = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
  /** Tag invalidations made, each a write of every key carrying the tag. */
  final AtomicInteger tagInvalidations = new AtomicInteger();

  /** A history over {@code caches}, one per client; thread {@code t} uses cache {@code t % n}. */
  History(List<DefaultNearCache<String, String>> caches) {
    this(caches, false);
  }

  /**
   * A history over {@code caches}; {@code tagged} ones ({@link Fleet#taggedCaches}) hold values
   * {@code t<i>|<version>} and see tag invalidations too.
   */
  History(List<DefaultNearCache<String, String>> caches, boolean tagged) {
    this.caches = caches;
    this.tagged = tagged;
    for (String key : KEY_NAMES) {
      database.put(key, 0L);
      rowLocks.put(key, new ReentrantLock());
    }
  }

  /** Runs the workload for {@code run}. */
  void run(Duration run) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    CountDownLatch start = new CountDownLatch(1);
    long stopAt = System.nanoTime() + run.toNanos();
    List<Future<?>> workers = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        int client = t % caches.size();
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
      workers.add(pool.submit(() -> {
        start.await();
        meterStalls(stopAt);
        return null;
      }));
      start.countDown();
      for (Future<?> worker : workers) {
        worker.get(run.toSeconds() + 60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Records, until {@code stopAt}, each time a one-millisecond sleep overslept by a stall. */
  private void meterStalls(long stopAt) {
    long tick = TimeUnit.MILLISECONDS.toNanos(1);
    while (System.nanoTime() < stopAt) {
      long before = System.nanoTime();
      LockSupport.parkNanos(tick);
      long after = System.nanoTime();
      if (after - before >= TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
        stalls.add(new Window("stall", before + tick, after));
      }
    }
  }

  private void operate(int client, DefaultNearCache<String, String> cache,
      SplittableRandom random, ReadLog readLog) {
    int keyIndex = random.nextInt(KEYS);
    String key = KEY_NAMES.get(keyIndex);
    int dice = random.nextInt(1000);
    if (dice < 990) {
      long begin = System.nanoTime();
      String value = cache.get(key, this::load);
      readLog.add(keyIndex, version(value), begin, System.nanoTime());
      return;
    }
    if (tagged && dice >= 997) {
      invalidateTag(client, cache, "t" + keyIndex % TAGS);
      return;
    }
    ReentrantLock row = rowLocks.get(key);
    row.lock();
    try {
      long begin = System.nanoTime();
      long version = database.merge(key, 1L, Long::sum);
      if (dice < 995) {
        cache.put(key, valueOf(key, version));
      } else {
        cache.invalidate(key);
      }
      writes.add(new Write(client, key, version, dice < 995, begin, System.nanoTime()));
    } finally {
      row.unlock();
    }
  }

  /**
   * Changes every row carrying {@code tag}, as a repricing job would, then invalidates the tag:
   * one write of each of those keys, all ending when the invalidation returns.
   */
  private void invalidateTag(int client, DefaultNearCache<String, String> cache, String tag) {
    List<String> keys = KEY_NAMES.stream().filter(k -> tagOf(k).equals(tag)).toList();
    keys.forEach(k -> rowLocks.get(k).lock()); // in KEY_NAMES order, as every writer locks
    try {
      long begin = System.nanoTime();
      List<Long> versions = keys.stream().map(k -> database.merge(k, 1L, Long::sum)).toList();
      cache.invalidateTag(tag);
      long end = System.nanoTime();
      tagInvalidations.incrementAndGet();
      for (int i = 0; i < keys.size(); i++) {
        writes.add(new Write(client, keys.get(i), versions.get(i), false, begin, end));
      }
    } finally {
      keys.forEach(k -> rowLocks.get(k).unlock());
    }
  }

  /** What the loader reads from the "database". */
  private String load(String key) {
    return valueOf(key, database.get(key));
  }

  private String valueOf(String key, long version) {
    return tagged ? tagOf(key) + "|" + version : Long.toString(version);
  }

  private static String tagOf(String key) {
    return "t" + Integer.parseInt(key.substring(1)) % TAGS;
  }

  /** The version a cached value holds. */
  private static long version(String value) {
    return Long.parseLong(value.substring(value.indexOf('|') + 1));
  }

  List<Read> reads() {
    List<Read> reads = new ArrayList<>();
    readLogs.forEach(log -> log.addTo(reads));
    return reads;
  }

  /**
   * Writes have stopped: once the last invalidations land, L1, Redis and the database agree.
   *
   * @param stored the frame Redis holds for a key of cache "product" now, or null
   */
  void assertSettled(Function<String, byte[]> stored) {
    for (String key : KEY_NAMES) {
      String truth = load(key);
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        for (DefaultNearCache<String, String> cache : caches) {
          assertThat(cache.get(key, this::load)).isEqualTo(truth);
          assertThat(cache.peekLocal(key)).as("L1 of %s", key).isIn(null, truth);
        }
      });
      byte[] frame = stored.apply(key);
      if (frame != null) {
        assertThat(new String(Frame.payload(frame), StandardCharsets.UTF_8))
            .as("Redis value of %s", key).isEqualTo(truth);
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
      List<Window> excused, List<Window> stalls) {
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
      long stood = stalls.stream().mapToLong(w -> Math.max(0,
          Math.min(w.end(), read.start()) - Math.max(w.start(), superseding.end()))).sum();
      long lag = read.start() - superseding.end() - stood;
      if (excused.stream().anyMatch(w -> w.contains(read.start()))) {
        continue;
      }
      worstLag = Math.max(worstLag, lag);
      if (lag > bound.toNanos()) {
        System.out.printf("stale: %s lagged %.1f ms behind %s%n", read, lag / 1e6, superseding);
        violations.add(read);
      } else if (stood > 0 && lag + stood > bound.toNanos()) {
        System.out.printf("late by a stall: %s lagged %.1f ms behind %s, %.1f ms of it while the"
            + " JVM stood still%n", read, (lag + stood) / 1e6, superseding, stood / 1e6);
      }
    }
    return new Verdict(violations, worstLag);
  }
}
