package io.nearcache.jmh;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.internal.l1.ClockThread;
import io.nearcache.internal.l1.CoarseClock;
import io.nearcache.internal.l1.TickMaintenance;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import redis.clients.jedis.RedisClient;

/**
 * An L1 hit: a warm local cache holding every product of the working set, read at random. The
 * floor is raw Caffeine {@code getIfPresent}, sized as nearcache's L1 is (the working set), with no
 * expiry, its maintenance on the common pool as Caffeine's default has it. A second Caffeine
 * differs only in running its maintenance as nearcache's L1 does (see {@code TickMaintenance}), so
 * that the table shows how much of nearcache's hit rate comes from that choice. The peers keep
 * their whole working set locally too: Redisson's {@code RLocalCachedMap} (INVALIDATE, its own
 * local cache, no eviction: its fastest local setup) and Jedis client-side caching (RESP3, {@code
 * CacheConfig} sized to the working set), whose cache holds Redis replies, so a hit there still
 * decodes the product.
 *
 * <p>Raw Caffeine and nearcache are filled in one loop with the same product objects, so that
 * their entries lie alike in the heap. Filled alone in a tight loop, Caffeine's nodes lie next to
 * each other as they never do in an application, and the same Caffeine read up to 1.5 times
 * faster than when its entries were allocated among other objects. Each fork runs on its own
 * pre-touched heap in transparent huge pages. (Forks of the default Caffeine still swing by a
 * factor of two on a 2-core VM: its readers wake a common-pool worker for every drain.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "-XX:+UseTransparentHugePages"})
public class L1HitBenchmark {

  @Benchmark
  public Product caffeineGetIfPresent(LocalState s, Workload w) {
    return s.caffeine.getIfPresent(w.anyKey());
  }

  /**
   * Raw Caffeine whose maintenance runs as nearcache's L1 runs it, on a thread that drains it once
   * a millisecond, not on the common pool: what nearcache's hit costs beyond Caffeine's own.
   */
  @Benchmark
  public Product caffeineTickedGetIfPresent(LocalState s, TickerState ticking, Workload w) {
    return s.caffeineTicked.getIfPresent(w.anyKey());
  }

  @Benchmark
  public Product nearcacheGet(LocalState s, Workload w) {
    return s.near.get(w.anyKey(), s.loader);
  }

  /** As {@link #nearcacheGet}, with {@code recordStats=false}: no counting, as the floor. */
  @Benchmark
  public Product nearcacheGetNoStats(LocalState s, Workload w) {
    return s.nearNoStats.get(w.anyKey(), s.loader);
  }

  /**
   * As {@link #nearcacheGet}, on a cache whose values carry tags (each product its own tags): a
   * tagged entry is boxed with its tags, one more pointer on the hit.
   */
  @Benchmark
  public Product nearcacheTaggedGet(LocalState s, TaggedState t, Workload w) {
    return t.near.get(w.anyKey(), s.loader);
  }

  @Benchmark
  public Product nearcacheGetIfPresent(LocalState s, Workload w) {
    return s.near.getIfPresent(w.anyKey());
  }

  @Benchmark
  public Product redissonLocalCachedMapGet(RedissonState s, Workload w) {
    return s.map.get(w.anyKey());
  }

  @Benchmark
  public Product jedisClientSideCacheGet(JedisCscState s, Workload w) {
    return w.kryo.deserialize(s.jedis.get(s.keys[w.anyIndex()]));
  }

  /** Raw Caffeine (two setups) and a nearcache client whose L1 each hold every product. */
  @State(Scope.Benchmark)
  public static class LocalState {
    private static final int FILL_BATCH = 500;
    Cache<String, Product> caffeine;
    Cache<String, Product> caffeineTicked;
    CoarseClock caffeineClock;
    TickMaintenance caffeineMaintenance;
    NearCacheClient client;
    NearCache<String, Product> near;
    NearCache<String, Product> nearNoStats;
    Function<String, Product> loader;

    @Setup(Level.Trial)
    public void setUp(Workload w) {
      caffeine = Caffeine.newBuilder().maximumSize(w.workingSet).build();
      caffeineClock = new CoarseClock();
      caffeineMaintenance = new TickMaintenance(caffeineClock);
      caffeineTicked = Caffeine.newBuilder().maximumSize(w.workingSet)
          .executor(caffeineMaintenance).build();
      client = Peers.nearcache(w);
      near = Peers.products(client, w, w.workingSet);
      nearNoStats = Peers.products(client, w, "nostats",
          "localMaxSize=" + w.workingSet + ",recordStats=false");
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < w.workingSet; i++) {
        index.put(w.keys[i], i);
      }
      loader = key -> w.product(index.get(key));
      fillRedis(w, loader, filler -> List.of(Peers.products(filler, w, w.workingSet),
          Peers.products(filler, w, "nostats",
              "localMaxSize=" + w.workingSet + ",recordStats=false")));
      // Key by key into every cache in turn, so that their entries lie alike in the heap; each
      // nearcache fill is an L2 hit, the values being in Redis already.
      for (String key : w.keys) {
        Product product = near.get(key, loader);
        caffeine.put(key, product);
        caffeineTicked.put(key, product);
        nearNoStats.get(key, k -> product);
      }
      requireFilled(near, w);
    }

    /**
     * Writes every product to Redis for the caches {@code caches} opens on another client, in
     * pipelined batches: a fork's fill through the miss path, key by key, took seconds.
     */
    static void fillRedis(Workload w, Function<String, Product> loader,
        Function<NearCacheClient, List<NearCache<String, Product>>> caches) {
      try (NearCacheClient filler = Peers.nearcache(w)) {
        List<NearCache<String, Product>> opened = caches.apply(filler);
        for (int from = 0; from < w.workingSet; from += FILL_BATCH) {
          List<String> batch = Arrays.asList(w.keys)
              .subList(from, Math.min(w.workingSet, from + FILL_BATCH));
          for (NearCache<String, Product> cache : opened) {
            cache.getAll(batch, keys -> {
              Map<String, Product> found = new HashMap<>();
              keys.forEach(key -> found.put(key, loader.apply(key)));
              return found;
            });
          }
        }
      }
    }

    static void requireFilled(NearCache<String, Product> cache, Workload w) {
      if (cache.estimatedSize() < w.workingSet) {
        throw new IllegalStateException("L1 of " + cache.name() + " not filled: "
            + cache.estimatedSize() + " of " + w.workingSet);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      client.close();
    }
  }

  /**
   * A cache whose values carry tags, on {@link LocalState}'s client, holding every product of
   * {@link LocalState#near}: set up, and its Redis and L1 filled, only in the forks that read it
   * (filling it took about 2 of the 6.4 s a fork spent in setup on 2026-12-07).
   */
  @State(Scope.Benchmark)
  public static class TaggedState {
    NearCache<String, Product> near;

    @Setup(Level.Trial)
    public void setUp(LocalState local, Workload w) {
      near = Peers.taggedProducts(local.client, w, w.workingSet);
      LocalState.fillRedis(w, local.loader,
          filler -> List.of(Peers.taggedProducts(filler, w, w.workingSet)));
      for (String key : w.keys) {
        Product product = local.near.getIfPresent(key);
        near.get(key, k -> product);
      }
      LocalState.requireFilled(near, w);
    }
  }

  /**
   * The thread that runs the second Caffeine's maintenance every millisecond, as nearcache's clock
   * thread does (the same {@link ClockThread}, napping when no maintenance is submitted); started
   * only in the forks that read that Caffeine, so no other contender shares its core with it.
   */
  @State(Scope.Benchmark)
  public static class TickerState {
    ClockThread ticker;

    @Setup(Level.Trial)
    public void setUp(LocalState local) {
      ticker = new ClockThread("caffeine-maintenance", local.caffeineClock,
          local.caffeineMaintenance, Duration.ofMillis(1));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      ticker.stop(Duration.ofSeconds(5));
    }
  }

  /** A Redisson local cached map whose local cache holds every product. */
  @State(Scope.Benchmark)
  public static class RedissonState {
    RedissonClient redisson;
    RLocalCachedMap<String, Product> map;

    @Setup(Level.Trial)
    public void setUp(Workload w) {
      redisson = Peers.redisson(w);
      map = redisson.getLocalCachedMap(LocalCachedMapOptions.name(w.prefix + ":redisson"));
      Map<String, Product> all = new HashMap<>();
      for (int i = 0; i < w.workingSet; i++) {
        all.put(w.keys[i], w.product(i));
      }
      map.putAll(all);
      for (String key : w.keys) {
        map.get(key);
      }
      if (map.getCachedMap().size() != w.workingSet) {
        throw new IllegalStateException("Redisson's local cache holds "
            + map.getCachedMap().size() + " of " + w.workingSet + " products");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      redisson.shutdown();
    }
  }

  /** A Jedis client-side cache holding the reply for every product key. */
  @State(Scope.Benchmark)
  public static class JedisCscState {
    RedisClient jedis;
    byte[][] keys;

    @Setup(Level.Trial)
    public void setUp(Workload w) {
      jedis = Peers.jedisWithClientSideCache(w, w.workingSet);
      keys = new byte[w.workingSet][];
      for (int i = 0; i < w.workingSet; i++) {
        keys[i] = w.rawKey(w.keys[i]);
        jedis.set(keys[i], w.kryo.serialize(w.product(i)));
      }
      for (byte[] key : keys) {
        jedis.get(key);
      }
      if (jedis.getCache().getSize() != w.workingSet) {
        throw new IllegalStateException("Jedis' client-side cache holds "
            + jedis.getCache().getSize() + " of " + w.workingSet + " replies");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      jedis.close();
    }
  }
}
