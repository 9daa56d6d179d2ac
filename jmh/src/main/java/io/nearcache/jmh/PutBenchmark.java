package io.nearcache.jmh;

import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * A write: nearcache's {@code put(key, product)} of a random key of the working set, against its
 * floor, a raw Jedis SET of the bytes nearcache stores (the Kryo encoding of the product behind
 * the frame byte {@code 0x01}, encoded on every call as {@code put} does) with the same PX TTL as
 * the cache's {@code remoteTtl}. Whatever else {@code put} does (the invalidation log, dropping the
 * lease, announcing the change to the other instances, its own subscriber hearing the
 * announcement) is in its figure; a {@code put} that costs one round trip should stay close to the
 * SET. As in {@link L2HitBenchmark}, the raw SET runs beside an idle nearcache client.
 *
 * <p>One fork each: an informational row, not a target, kept so that {@code jmh/run.sh} fits its
 * 15 minutes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PutBenchmark {
  /** The cache's {@code remoteTtl}, and the raw SET's PX. */
  private static final long TTL_MILLIS = TimeUnit.HOURS.toMillis(1);

  @Benchmark
  public String rawJedisSet(RawState s, NearPutState idle, Workload w) {
    int i = w.anyIndex();
    return s.jedis.set(s.keys[i], w.valueFrame(s.products[i]), s.px);
  }

  @Benchmark
  public void nearcachePut(NearPutState s, Workload w) {
    int i = w.anyIndex();
    s.cache.put(w.keys[i], s.products[i]);
  }

  /** Raw keys of the working set, the products written, and the SET's TTL. */
  @State(Scope.Benchmark)
  public static class RawState {
    final SetParams px = SetParams.setParams().px(TTL_MILLIS);
    RedisClient jedis;
    byte[][] keys;
    Product[] products;

    @Setup(Level.Trial)
    public void setUp(Workload w) {
      jedis = Peers.jedis(w);
      keys = new byte[w.workingSet][];
      products = new Product[w.workingSet];
      for (int i = 0; i < w.workingSet; i++) {
        keys[i] = w.rawKey(w.keys[i]);
        products[i] = w.product(i);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      jedis.close();
    }
  }

  /** A nearcache as an application would run it, and the products written. */
  @State(Scope.Benchmark)
  public static class NearPutState {
    NearCacheClient client;
    NearCache<String, Product> cache;
    Product[] products;

    @Setup(Level.Trial)
    public void setUp(Workload w) {
      client = Peers.nearcache(w);
      // remoteTtl=1h, as TTL_MILLIS
      cache = Peers.products(client, w, w.workingSet);
      products = new Product[w.workingSet];
      for (int i = 0; i < w.workingSet; i++) {
        products[i] = w.product(i);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      client.close();
    }
  }
}
