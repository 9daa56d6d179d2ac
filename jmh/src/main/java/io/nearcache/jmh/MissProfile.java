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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * Where a miss of both tiers spends its time, beside the seed's cache-aside: each runs {@value
 * #MISSES} misses of keys never read before (after {@value #WARM_UP_SECONDS} seconds of unmeasured
 * ones: on one CPU, shared with Redis and the JIT's own threads, nearcache's miss path took 16
 * seconds to settle in the miss benchmark), timed as a whole, while Redis counts its commands
 * ({@code INFO commandstats}, reset before each) and its CPU time ({@code INFO cpu}). Per miss it
 * reports the time, Redis' CPU time and its commands by name (a script counts once as itself and
 * once per command it ran), and the client's own CPU time: the calling thread's, and the whole
 * JVM's (the calling thread, nearcache's maintenance, the JIT and the GC). Those are steadier than
 * the time itself, which on one CPU also holds the kernel's switches between client and Redis for
 * every round trip and whatever else the machine ran. Run it on one CPU, as the miss benchmark.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.MissProfile <out.json>}. Redis: {@code
 * REDIS_URL} (whose command statistics it resets), else a testkit server.
 */
public final class MissProfile {
  private static final int MISSES = 20_000;
  private static final long WARM_UP_SECONDS = 20;
  private static final long TTL_SECONDS = 60;
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
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("misses", MISSES);
      result.put("cacheAside", profile(jedis, n -> {
        byte[] key = w.rawKey("profile:" + n);
        if (jedis.get(key) == null) {
          jedis.set(key, w.kryo.serialize(w.product((int) (n % w.workingSet))),
              SetParams.setParams().ex(TTL_SECONDS));
        }
      }));
      result.put("nearcache", profile(jedis,
          n -> cache.get("profile:" + n, key -> w.product((int) (n % w.workingSet)))));
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
      System.out.println(result);
    } finally {
      w.tearDown();
    }
  }

  /**
   * Runs {@code miss} for {@value #MISSES} fresh numbers after {@value #WARM_UP_SECONDS} seconds of
   * unmeasured ones, and returns per miss the time, Redis' own CPU time, the caller's and the
   * client JVM's CPU time, and Redis' commands.
   */
  private static Map<String, Object> profile(RedisClient jedis, LongConsumer miss) {
    long warmUpEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS);
    while (System.nanoTime() - warmUpEnd < 0) {
      miss.accept(numbers++);
    }
    long n = numbers;
    numbers += MISSES;
    jedis.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
    double cpuBefore = redisCpuSeconds(jedis);
    long threadCpuBefore = THREADS.getCurrentThreadCpuTime();
    long jvmCpuBefore = PROCESS.getProcessCpuTime();
    long start = System.nanoTime();
    for (long i = 0; i < MISSES; i++) {
      miss.accept(n + i);
    }
    double micros = (System.nanoTime() - start) / 1e3 / MISSES;
    double threadMicros = (THREADS.getCurrentThreadCpuTime() - threadCpuBefore) / 1e3 / MISSES;
    double jvmMicros = (PROCESS.getProcessCpuTime() - jvmCpuBefore) / 1e3 / MISSES;
    double redisMicros = (redisCpuSeconds(jedis) - cpuBefore) * 1e6 / MISSES;
    Map<String, Double> calls = new TreeMap<>();
    for (String line : jedis.info("commandstats").split("\\r?\\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        String count = line.substring(line.indexOf("calls=") + "calls=".length(),
            line.indexOf(','));
        double perMiss = Double.parseDouble(count) / MISSES;
        if (perMiss >= 0.01 && !name.startsWith("config") && !name.equals("info")) {
          calls.put(name, perMiss);
        }
      }
    }
    Map<String, Object> profile = new LinkedHashMap<>();
    profile.put("microsPerMiss", micros);
    profile.put("redisCpuMicrosPerMiss", redisMicros);
    profile.put("callerCpuMicrosPerMiss", threadMicros);
    profile.put("jvmCpuMicrosPerMiss", jvmMicros);
    profile.put("callsPerMiss", calls);
    return profile;
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
