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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.RedisClient;

/**
 * An L2 hit: L1 holds nothing ({@code localMaxSize=0}), every product is in Redis. nearcache's
 * {@code get(key, loader)} against its floor, a raw Jedis GET of the same product's bytes plus the
 * same Kryo decode. Both use one pooled {@code RedisClient} of their own.
 *
 * <p>The raw baseline runs beside an idle nearcache client holding the same products in the same
 * Redis, so that the two differ only in the path of a read: a live client's threads alone made raw
 * GETs in the same JVM about 10% slower on a 2-core VM (a cost reported on its own, not hidden in
 * the ratio). That idle client is always on the standalone Redis: the baseline is a GET of one
 * server.
 *
 * <p>{@code nearcacheGet} runs once per {@code deployment}: on the workload's Redis
 * ({@code standalone}), and on a testkit Redis Cluster started for the trial ({@code cluster},
 * three primaries and three replicas, always testkit's even when {@code REDIS_URL} is set), so
 * that the report compares the two L2 hits of the same run. On the cluster, a read goes to the
 * primary owning its key's slot.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class L2HitBenchmark {

  @Benchmark
  public Product rawJedisGetAndDecode(RawState s, StandaloneNearL2State idle, Workload w) {
    return w.kryo.deserialize(s.jedis.get(s.keys[w.anyIndex()]));
  }

  @Benchmark
  public Product nearcacheGet(NearL2State s, Workload w) {
    return s.cache.get(w.anyKey(), s::mustNotLoad);
  }

  /** Every product's bytes under its raw key. */
  @State(Scope.Benchmark)
  public static class RawState {
    RedisClient jedis;
    byte[][] keys;

    @Setup(Level.Trial)
    public void setUp(Workload w) {
      jedis = Peers.jedis(w);
      keys = new byte[w.workingSet][];
      for (int i = 0; i < w.workingSet; i++) {
        keys[i] = w.rawKey(w.keys[i]);
        jedis.set(keys[i], w.kryo.serialize(w.product(i)));
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      jedis.close();
    }
  }

  /** A nearcache with no L1, every product in its L2, on the {@code deployment} measured. */
  @State(Scope.Benchmark)
  public static class NearL2State extends NearL2 {
    /** Where L2 lives: the workload's Redis, or a testkit Redis Cluster of the trial's own. */
    @Param({Deployment.STANDALONE, Deployment.CLUSTER})
    public String deployment;

    @Override
    String deployment() {
      return deployment;
    }
  }

  /**
   * The same on the workload's Redis only: the idle client beside the raw baseline, and
   * {@link GetAllBenchmark}'s cache.
   */
  @State(Scope.Benchmark)
  public static class StandaloneNearL2State extends NearL2 {
    @Override
    String deployment() {
      return Deployment.STANDALONE;
    }
  }

  /** A nearcache with no L1, every product in its L2, on the deployment a subclass names. */
  @State(Scope.Benchmark)
  public abstract static class NearL2 {
    Deployment deployment;
    NearCacheClient client;
    NearCache<String, Product> cache;

    /** {@link Deployment#STANDALONE} or {@link Deployment#CLUSTER}. */
    abstract String deployment();

    @Setup(Level.Trial)
    public void setUp(Workload w) {
      deployment = Deployment.of(deployment(), w);
      client = deployment.nearcache();
      cache = Peers.products(client, w, 0);
      for (int i = 0; i < w.workingSet; i++) {
        cache.put(w.keys[i], w.product(i));
      }
    }

    /** The loader: every key is in L2, so a call means the benchmark measures the wrong path. */
    Product mustNotLoad(String key) {
      throw new IllegalStateException(key + " missed L2");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      client.close();
      deployment.close();
    }
  }
}
