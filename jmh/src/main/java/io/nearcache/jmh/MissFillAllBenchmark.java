package io.nearcache.jmh;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * {@link MissFillBenchmark} for a page: {@code getAll} of {@code batch} keys never read before,
 * in neither tier, filled by a bulk loader that returns at once. The floor is the seed's
 * cache-aside done in bulk: one {@code MGET} that misses them all, then their {@code SET}s with a
 * TTL in one pipeline. Beside an idle nearcache client, as there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 12, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class MissFillAllBenchmark {
  @Param("50")
  int batch;

  @Benchmark
  public Map<String, Product> rawJedisCacheAside(MissFillBenchmark.RawState s,
      MissFillBenchmark.NearState idle, Workload w) {
    long first = s.next.getAndAdd(batch);
    List<String> keys = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      keys.add("missall:" + (first + i));
    }
    return cacheAside(s.jedis, w, keys, i -> w.product((int) ((first + i) % w.workingSet)));
  }

  /**
   * The seed's cache-aside for a page of keys, which {@link MissProfile} measures too: one {@code
   * MGET}, then the {@code SET EX}s of those it missed, in one pipeline.
   *
   * @param load the product of the {@code i}th key, for a miss
   * @return every key's product, read or loaded
   */
  static Map<String, Product> cacheAside(RedisClient jedis, Workload w, List<String> keys,
      IntFunction<Product> load) {
    byte[][] raw = keys.stream().map(w::rawKey).toArray(byte[][]::new);
    List<byte[]> cached = jedis.mget(raw);
    Map<String, Product> found = new HashMap<>();
    try (AbstractPipeline pipeline = jedis.pipelined()) {
      for (int i = 0; i < raw.length; i++) {
        Product product = cached.get(i) != null ? w.kryo.deserialize(cached.get(i)) : load.apply(i);
        if (cached.get(i) == null) {
          pipeline.set(raw[i], w.kryo.serialize(product),
              SetParams.setParams().ex(MissFillBenchmark.TTL_SECONDS));
        }
        found.put(keys.get(i), product);
      }
      pipeline.sync();
    }
    return found;
  }

  @Benchmark
  public Map<String, Product> nearcacheGetAll(MissFillBenchmark.NearState s, Workload w) {
    long first = s.next.getAndAdd(batch);
    List<String> keys = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      keys.add("missall:" + (first + i));
    }
    return s.cache.getAll(keys, missing -> {
      Map<String, Product> loaded = new HashMap<>();
      for (String key : missing) {
        long n = Long.parseLong(key.substring("missall:".length()));
        loaded.put(key, w.product((int) (n % w.workingSet)));
      }
      return loaded;
    });
  }
}
