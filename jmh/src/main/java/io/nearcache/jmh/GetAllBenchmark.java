package io.nearcache.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A page of products from L2: {@code getAll} of {@code batch} random keys with L1 empty, one
 * pipelined round trip, against the same keys read by as many raw Jedis GETs (and decodes) one
 * after another, as a loop over {@code get} would do without a bulk call. As in {@link
 * L2HitBenchmark}, the raw GETs run beside an idle nearcache client.
 *
 * <p>One fork each: an informational row, not a target, kept so that {@code jmh/run.sh} fits its
 * 15 minutes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class GetAllBenchmark {
  @Param("50")
  int batch;

  @Benchmark
  public void rawJedisGets(L2HitBenchmark.RawState s, L2HitBenchmark.StandaloneNearL2State idle,
      Workload w, Blackhole bh) {
    for (int i = 0; i < batch; i++) {
      bh.consume(w.kryo.deserialize(s.jedis.get(s.keys[w.anyIndex()])));
    }
  }

  @Benchmark
  public Map<String, Product> nearcacheGetAll(L2HitBenchmark.StandaloneNearL2State s,
      Workload w) {
    List<String> keys = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      keys.add(w.anyKey());
    }
    return s.cache.getAll(keys, GetAllBenchmark::mustNotLoad);
  }

  private static Map<String, Product> mustNotLoad(Set<String> keys) {
    throw new IllegalStateException(keys + " missed L2");
  }
}
