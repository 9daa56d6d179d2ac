package io.nearcache.jmh;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    byte[][] keys = new byte[batch][];
    for (int i = 0; i < batch; i++) {
      keys[i] = w.rawKey("missall:" + (first + i));
    }
    List<byte[]> cached = s.jedis.mget(keys);
    Map<String, Product> found = new HashMap<>();
    try (AbstractPipeline pipeline = s.jedis.pipelined()) {
      for (int i = 0; i < batch; i++) {
        Product product = cached.get(i) != null ? w.kryo.deserialize(cached.get(i))
            : w.product((int) ((first + i) % w.workingSet));
        if (cached.get(i) == null) {
          pipeline.set(keys[i], w.kryo.serialize(product),
              SetParams.setParams().ex(MissFillBenchmark.TTL_SECONDS));
        }
        found.put("missall:" + (first + i), product);
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
