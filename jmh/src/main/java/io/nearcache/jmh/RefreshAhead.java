package io.nearcache.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nearcache.CacheSpec;
import io.nearcache.CacheStats;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.serializers.JacksonJsonSerializer;
import io.nearcache.testkit.RedisServer;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Refresh-ahead, timed: {@value #CLIENTS} clients with {@value #THREADS_PER_CLIENT} threads each
 * read one hot key for {@value #RUN_SECONDS} s, {@code localTtl=remoteTtl=1s}, a loader that takes
 * {@value #LOADER_MILLIS} ms (a database query), once with {@code refreshAfter=700ms} and once
 * without, both at the same time so that they see the machine alike (in turns, each setup's entry
 * expired while the other ran, and every turn began with a wait for the loader). Each thread
 * reads every {@value #PACE_MICROS} us (an application does work between reads); every read is
 * timed. Reports, per setup, read latency percentiles after {@value #WARMUP_SECONDS} s of warm-up,
 * the reads that waited at least half the loader's time, and the loader calls across the fleet
 * per refresh period.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.RefreshAhead <out.json>}; Redis is a
 * testkit server on a free port.
 */
public final class RefreshAhead {
  private static final int CLIENTS = 2;
  private static final int THREADS_PER_CLIENT = 4;
  private static final int RUN_SECONDS = 30;
  private static final int WARMUP_SECONDS = 2;
  private static final long LOADER_MILLIS = 50;
  private static final long PACE_MICROS = 100;
  private static final Duration REFRESH_AFTER = Duration.ofMillis(700);
  private static final String TTLS = "localTtl=1s,remoteTtl=1s";

  private RefreshAhead() {}

  /** One setup's fleet, its loader's calls and its reads' times. */
  private static final class Setup implements AutoCloseable {
    final String name;
    final List<NearCacheClient> clients = new ArrayList<>();
    final List<NearCache<String, String>> caches = new ArrayList<>();
    final AtomicInteger loads = new AtomicInteger();
    final List<long[]> times = new ArrayList<>();
    final int[] counts = new int[CLIENTS * THREADS_PER_CLIENT];
    final Function<String, String> loader = key -> {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(LOADER_MILLIS));
      return key + "#" + loads.incrementAndGet();
    };

    Setup(String name, RedisServer redis, String spec) {
      this.name = name;
      String prefix = "refresh-" + UUID.randomUUID().toString().substring(0, 8);
      for (int i = 0; i < CLIENTS; i++) {
        NearCacheClient client = NearCacheClient.builder().redisUri(redis.uri())
            .keyPrefix(prefix).instanceId(name + "-" + i).build();
        clients.add(client);
        caches.add(client.cache("hot", CacheSpec.parse(spec),
            new JacksonJsonSerializer<>(String.class)));
      }
      int capacity = (int) (RUN_SECONDS * 1_000_000 / PACE_MICROS) + 1_000;
      for (int t = 0; t < counts.length; t++) {
        times.add(new long[capacity]);
      }
    }

    /**
     * Starts every reader thread, reading until {@code stopAt} and recording the reads that began
     * at {@code measureFrom} or later; {@code done} counts them down as they end.
     */
    void start(long measureFrom, long stopAt, CountDownLatch done) {
      for (int t = 0; t < counts.length; t++) {
        int thread = t;
        NearCache<String, String> cache = caches.get(t % CLIENTS);
        Thread reader = new Thread(() -> {
          long[] mine = times.get(thread);
          while (System.nanoTime() < stopAt) {
            long start = System.nanoTime();
            cache.get("hot", loader);
            long took = System.nanoTime() - start;
            if (start >= measureFrom) {
              mine[counts[thread]++] = took;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(PACE_MICROS));
          }
          done.countDown();
        }, name + "-reader-" + t);
        reader.setDaemon(true);
        reader.start();
      }
    }

    /** The fleet's counts now. */
    CacheStats stats() {
      return caches.stream().map(NearCache::stats).reduce(CacheStats.empty(), CacheStats::plus);
    }

    Map<String, Object> result(int measuredSeconds, int loadsBefore, CacheStats before) {
      long[] all = new long[Arrays.stream(counts).sum()];
      int at = 0;
      for (int t = 0; t < counts.length; t++) {
        System.arraycopy(times.get(t), 0, all, at, counts[t]);
        at += counts[t];
      }
      Arrays.sort(all);
      long waited = Arrays.stream(all)
          .filter(n -> n >= TimeUnit.MILLISECONDS.toNanos(LOADER_MILLIS) / 2).count();
      CacheStats stats = stats().minus(before);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("reads", all.length);
      result.put("p50Us", at(all, 0.50));
      result.put("p99Us", at(all, 0.99));
      result.put("p999Us", at(all, 0.999));
      result.put("p9999Us", at(all, 0.9999));
      result.put("maxUs", all[all.length - 1] / 1e3);
      result.put("readsWaitingHalfTheLoader", waited);
      int measuredLoads = loads.get() - loadsBefore;
      result.put("loaderCalls", measuredLoads);
      result.put("loaderCallsPerRefreshPeriod",
          measuredLoads / (measuredSeconds * 1000.0 / REFRESH_AFTER.toMillis()));
      result.put("refreshes", stats.refreshes());
      result.put("refreshFailures", stats.refreshFailures());
      return result;
    }

    @Override
    public void close() {
      clients.forEach(NearCacheClient::close);
    }
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    File out = new File(args[0]);
    Map<String, Object> result = new LinkedHashMap<>();
    try (RedisServer redis = RedisServer.start();
        Setup refreshing = new Setup("refreshAfter", redis,
            TTLS + ",refreshAfter=" + REFRESH_AFTER.toMillis() + "ms");
        Setup plain = new Setup("ttlOnly", redis, TTLS)) {
      List<Setup> setups = List.of(refreshing, plain);
      long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
      long stopAt = measureFrom + TimeUnit.SECONDS.toNanos(RUN_SECONDS);
      CountDownLatch done = new CountDownLatch(
          setups.size() * CLIENTS * THREADS_PER_CLIENT);
      setups.forEach(setup -> setup.start(measureFrom, stopAt, done));
      while (System.nanoTime() < measureFrom) { // park may return early
        LockSupport.parkNanos(measureFrom - System.nanoTime());
      }
      Map<Setup, Integer> loadsAfterWarmUp = new LinkedHashMap<>();
      Map<Setup, CacheStats> statsAfterWarmUp = new LinkedHashMap<>();
      setups.forEach(setup -> {
        loadsAfterWarmUp.put(setup, setup.loads.get());
        statsAfterWarmUp.put(setup, setup.stats());
      });
      done.await();
      for (Setup setup : setups) {
        result.put(setup.name, setup.result(RUN_SECONDS, loadsAfterWarmUp.get(setup),
            statsAfterWarmUp.get(setup)));
      }
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
    System.out.println(result);
  }

  private static double at(long[] sorted, double quantile) {
    return sorted[(int) Math.ceil(quantile * sorted.length) - 1] / 1e3;
  }
}
