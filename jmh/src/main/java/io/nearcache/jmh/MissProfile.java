package io.nearcache.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.management.OperatingSystemMXBean;
import io.nearcache.CacheSpec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * Where a miss of both tiers spends its time, beside the seed's cache-aside and the floor of
 * nearcache's lease protocol (its Redis commands sent by raw Jedis): each path first runs
 * unmeasured misses of keys never read before (nearcache's for {@value #WARM_UP_SECONDS} seconds:
 * on one CPU, shared with Redis and the JIT's own threads, its miss path took 16 seconds to settle
 * in the miss benchmark), then {@value #MISSES} measured ones, in {@value #ROUNDS} rounds that take
 * the paths in turn, forwards and then backwards, so that a machine whose speed drifts over the
 * profile's seconds slows each path alike. While each block runs, Redis counts its commands ({@code
 * INFO commandstats}, reset before each) and its CPU time ({@code INFO cpu}). Per miss it reports
 * the time, Redis' CPU time and its commands by name (a script counts once as itself and once per
 * command it ran), and the client's own CPU time: the calling thread's, and the whole JVM's (the
 * calling thread, nearcache's maintenance, the JIT and the GC). Those are steadier than the time
 * itself, which on one CPU also holds the kernel's switches between client and Redis for every
 * round trip and whatever else the machine ran. Run it on one CPU, as the miss benchmark.
 *
 * <p>Then the same for a page: {@value #PAGES} {@code getAll}s of {@value #BATCH} keys in neither
 * tier, beside the seed's cache-aside done in bulk ({@code MGET}, then the {@code SET}s in one
 * pipeline), figures per {@code getAll}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.MissProfile <out.json>}. Redis: {@code
 * REDIS_URL} (whose command statistics it resets), else a testkit server.
 */
public final class MissProfile {
  private static final int MISSES = 20_000;
  /** The keys of one {@code getAll}, and of the bulk cache-aside it is compared with. */
  private static final int BATCH = 50;
  /** How many {@code getAll}s are measured. */
  private static final int PAGES = 2_000;
  /** Each path's measured misses (or pages) run in this many blocks, the paths taking turns. */
  private static final int ROUNDS = 4;
  /** nearcache's unmeasured misses. */
  private static final long WARM_UP_SECONDS = 20;
  /** The cache-aside's: raw Jedis, settled within 10 s in the miss benchmark. */
  private static final long RAW_WARM_UP_SECONDS = 10;
  /**
   * The unmeasured misses of nearcache's commands alone: raw Jedis too, whose code the cache-aside
   * before it has warmed up.
   */
  private static final long FLOOR_WARM_UP_SECONDS = 5;
  /**
   * Unmeasured pages of each, for this long: shorter than a single miss', whose code they mostly
   * share and which has warmed it up.
   */
  private static final long PAGE_WARM_UP_SECONDS = 10;
  /** As the miss benchmarks': one constant, so that all three hold the same keyspace. */
  private static final long TTL_SECONDS = MissFillBenchmark.TTL_SECONDS;
  /**
   * The lease protocol's floor: nearcache's Redis commands for a miss, sent by raw Jedis with
   * nothing around them. The lease, a frame of kind 3 and a token as nearcache's, goes in the empty
   * value key by {@code SET NX PX GET}; the loaded frame replaces it by this compare-and-set,
   * which runs in Redis what nearcache's write script runs for one key (a GET, then a SET).
   */
  private static final String COMPARE_AND_SET = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
      end
      return 0""";
  private static final long LEASE_MILLIS = CacheSpec.DEFAULT_LEASE_TIMEOUT.toMillis();
  private static final String LEASE_TOKEN = UUID.randomUUID() + ":";
  private static final byte[] TTL_MILLIS =
      String.valueOf(TTL_SECONDS * 1000).getBytes(StandardCharsets.US_ASCII);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final OperatingSystemMXBean PROCESS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  /** The next number no miss has used: each profile's keys are new to Redis. */
  private static long numbers;

  private MissProfile() {}

  public static void main(String[] args) throws IOException {
    File out = new File(args[0]);
    Workload w = new Workload();
    w.workingSet = 1_000;
    w.setUp();
    try (RedisClient jedis = RedisClient.create(URI.create(w.redisUri));
        NearCacheClient client = Peers.nearcache(w)) {
      NearCache<String, Product> cache = client.cache("missprofile", CacheSpec.parse(
          "localMaxSize=" + w.workingSet + ",localTtl=1h,remoteTtl=" + TTL_SECONDS + "s"),
          w.kryo);
      byte[] compareAndSet = jedis.scriptLoad(COMPARE_AND_SET.getBytes(StandardCharsets.UTF_8),
          new byte[0]);
      Map<String, Path> misses = new LinkedHashMap<>();
      misses.put("cacheAside", new Path(RAW_WARM_UP_SECONDS, n -> {
        byte[] key = w.rawKey("profile:" + n);
        if (jedis.get(key) == null) {
          jedis.set(key, w.kryo.serialize(w.product((int) (n % w.workingSet))),
              SetParams.setParams().ex(TTL_SECONDS));
        }
      }));
      misses.put("leaseProtocol", new Path(FLOOR_WARM_UP_SECONDS, n -> {
        byte[] key = w.rawKey("profile:" + n);
        byte[] lease = ("\u0003" + LEASE_TOKEN + n).getBytes(StandardCharsets.US_ASCII);
        if (jedis.setGet(key, lease, SetParams.setParams().nx().px(LEASE_MILLIS)) == null) {
          byte[] frame = w.valueFrame(w.product((int) (n % w.workingSet)));
          jedis.evalsha(compareAndSet, List.of(key), List.of(lease, frame, TTL_MILLIS));
        }
      }));
      misses.put("nearcache", new Path(WARM_UP_SECONDS,
          n -> cache.get("profile:" + n, key -> w.product((int) (n % w.workingSet)))));
      Map<String, Path> pages = new LinkedHashMap<>();
      pages.put("cacheAsideAll", new Path(PAGE_WARM_UP_SECONDS, n -> {
        List<String> keys = batch(n);
        MissFillAllBenchmark.cacheAside(jedis, w, keys,
            i -> w.product(number(keys.get(i)) % w.workingSet));
      }));
      pages.put("nearcacheAll", new Path(PAGE_WARM_UP_SECONDS,
          n -> cache.getAll(batch(n), keys -> {
            Map<String, Product> loaded = new HashMap<>();
            keys.forEach(key -> loaded.put(key, w.product(number(key) % w.workingSet)));
            return loaded;
          })));
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("misses", MISSES);
      result.put("rounds", ROUNDS);
      result.putAll(profile(jedis, misses, MISSES));
      result.put("batch", BATCH);
      result.putAll(profile(jedis, pages, PAGES));
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
      System.out.println(result);
    } finally {
      w.tearDown();
    }
  }

  /** One way to miss: its unmeasured seconds, and a miss of the key (or page) numbered n. */
  private record Path(long warmUpSeconds, LongConsumer miss) {}

  /**
   * Warms up each path in turn, then runs {@code misses} fresh numbers of each in {@value
   * #ROUNDS} blocks, the paths taking turns (forwards in even rounds, backwards in odd ones), and
   * returns per path and miss the time, Redis' own CPU time, the caller's and the client JVM's
   * CPU time, and Redis' commands.
   */
  private static Map<String, Object> profile(RedisClient jedis, Map<String, Path> paths,
      int misses) {
    Map<String, Totals> totals = new LinkedHashMap<>();
    paths.forEach((name, path) -> {
      long warmUpEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(path.warmUpSeconds());
      while (System.nanoTime() - warmUpEnd < 0) {
        path.miss().accept(numbers++);
      }
      totals.put(name, new Totals(path.warmUpSeconds()));
    });
    List<String> order = new ArrayList<>(paths.keySet());
    for (int round = 0; round < ROUNDS; round++) {
      for (String name : order) {
        totals.get(name).measure(jedis, paths.get(name).miss(), misses / ROUNDS);
      }
      Collections.reverse(order);
    }
    Map<String, Object> profiles = new LinkedHashMap<>();
    totals.forEach((name, t) -> profiles.put(name, t.perMiss()));
    return profiles;
  }

  /** What one path's measured blocks added up to. */
  private static final class Totals {
    private final long warmUpSeconds;
    private long misses;
    private long nanos;
    private double redisCpuSeconds;
    private long threadCpuNanos;
    private long jvmCpuNanos;
    private final Map<String, Long> calls = new TreeMap<>();

    Totals(long warmUpSeconds) {
      this.warmUpSeconds = warmUpSeconds;
    }

    /** Runs {@code count} fresh numbers of {@code miss} and adds what they cost. */
    void measure(RedisClient jedis, LongConsumer miss, int count) {
      long n = numbers;
      numbers += count;
      jedis.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
      double redisBefore = redisCpuSeconds(jedis);
      long threadBefore = THREADS.getCurrentThreadCpuTime();
      long jvmBefore = PROCESS.getProcessCpuTime();
      long start = System.nanoTime();
      for (long i = 0; i < count; i++) {
        miss.accept(n + i);
      }
      nanos += System.nanoTime() - start;
      threadCpuNanos += THREADS.getCurrentThreadCpuTime() - threadBefore;
      jvmCpuNanos += PROCESS.getProcessCpuTime() - jvmBefore;
      redisCpuSeconds += redisCpuSeconds(jedis) - redisBefore;
      misses += count;
      for (String line : jedis.info("commandstats").split("\\r?\\n")) {
        if (line.startsWith("cmdstat_")) {
          String name = line.substring("cmdstat_".length(), line.indexOf(':'));
          long ran = Long.parseLong(line.substring(line.indexOf("calls=") + "calls=".length(),
              line.indexOf(',')));
          if (!name.startsWith("config") && !name.equals("info")) {
            calls.merge(name, ran, Long::sum);
          }
        }
      }
    }

    Map<String, Object> perMiss() {
      Map<String, Double> callsPerMiss = new TreeMap<>();
      calls.forEach((name, count) -> {
        if (count >= 0.01 * misses) {
          callsPerMiss.put(name, (double) count / misses);
        }
      });
      Map<String, Object> profile = new LinkedHashMap<>();
      profile.put("warmUpSeconds", warmUpSeconds);
      profile.put("misses", misses);
      profile.put("microsPerMiss", nanos / 1e3 / misses);
      profile.put("redisCpuMicrosPerMiss", redisCpuSeconds * 1e6 / misses);
      profile.put("callerCpuMicrosPerMiss", threadCpuNanos / 1e3 / misses);
      profile.put("jvmCpuMicrosPerMiss", jvmCpuNanos / 1e3 / misses);
      profile.put("callsPerMiss", callsPerMiss);
      return profile;
    }
  }

  /** The {@value #BATCH} keys of the {@code n}th page: numbers no other miss uses. */
  private static List<String> batch(long n) {
    List<String> keys = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      keys.add("profile:" + (BATCH * n + i) + ":all");
    }
    return keys;
  }

  private static int number(String key) {
    return (int) Long.parseLong(key.substring("profile:".length(), key.lastIndexOf(':')));
  }

  /** Redis' CPU time so far, user and system, from {@code INFO cpu}. */
  private static double redisCpuSeconds(RedisClient jedis) {
    double seconds = 0;
    for (String line : jedis.info("cpu").split("\\r?\\n")) {
      if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
        seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return seconds;
  }
}
