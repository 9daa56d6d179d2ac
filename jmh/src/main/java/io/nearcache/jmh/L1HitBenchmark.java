package io.nearcache.jmh;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.nearcache.CacheSpec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import io.nearcache.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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

/**
 * An L1 hit of {@code NearCache.get(key, loader)} against the floor, raw Caffeine {@code
 * getIfPresent}, over the same keys, and against Caffeine configured as nearcache's L1 is. Redis comes from {@code REDIS_URL} or a testkit server.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class L1HitBenchmark {
  @Param("10000")
  int workingSet;

  private RedisServer server;
  private NearCacheClient client;
  private NearCache<String, String> near;
  private Cache<String, String> caffeine;
  private Cache<String, String> caffeineWithTtl;
  private String[] keys;
  private final Function<String, String> loader = key -> "value-" + key;

  @Setup(Level.Trial)
  public void setUp() {
    String uri = System.getenv("REDIS_URL");
    if (uri == null) {
      server = RedisServer.start();
      uri = server.uri();
    }
    client = NearCacheClient.builder().redisUri(uri).keyPrefix("jmh").build();
    near = client.cache("l1hit", CacheSpec.parse("localMaxSize=" + workingSet * 2
        + ",localTtl=1h,remoteTtl=1h"), new Utf8());
    caffeine = Caffeine.newBuilder().maximumSize(workingSet * 2L).build();
    caffeineWithTtl = Caffeine.newBuilder().maximumSize(workingSet * 2L)
        .expireAfterWrite(Duration.ofHours(1)).build();
    keys = new String[workingSet];
    for (int i = 0; i < workingSet; i++) {
      keys[i] = "key-" + i;
      caffeine.put(keys[i], near.get(keys[i], loader));
      caffeineWithTtl.put(keys[i], near.get(keys[i], loader));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    near.invalidateAll();
    client.close();
    if (server != null) {
      server.close();
    }
  }

  private String anyKey() {
    return keys[ThreadLocalRandom.current().nextInt(keys.length)];
  }

  @Benchmark
  public String caffeineGetIfPresent() {
    return caffeine.getIfPresent(anyKey());
  }

  /** Raw Caffeine configured as nearcache's L1 is (size bound and expiry): our own overhead. */
  @Benchmark
  public String caffeineWithTtlGetIfPresent() {
    return caffeineWithTtl.getIfPresent(anyKey());
  }

  @Benchmark
  public String nearcacheGet() {
    return near.get(anyKey(), loader);
  }

  /** UTF-8 strings, the cheapest codec, so the benchmark measures the cache. */
  static final class Utf8 implements Serializer<String> {
    @Override
    public byte[] serialize(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String deserialize(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
