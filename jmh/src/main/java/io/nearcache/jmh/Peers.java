package io.nearcache.jmh;

import io.nearcache.CacheSpec;
import io.nearcache.KeyCodec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import java.net.URI;
import java.util.List;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.csc.CacheConfig;
import redis.clients.jedis.util.JedisURIHelper;

/** How the benchmarks connect nearcache and its peers to the workload's Redis. */
final class Peers {
  private Peers() {}

  /** A nearcache client of its own (own pool, own subscriber) under the workload's prefix. */
  static NearCacheClient nearcache(Workload workload) {
    return NearCacheClient.builder().redisUri(workload.redisUri).keyPrefix(workload.prefix)
        .build();
  }

  /** The products cache of {@code client}, holding up to {@code localMaxSize} in L1. */
  static NearCache<String, Product> products(NearCacheClient client, Workload workload,
      long localMaxSize) {
    return products(client, workload, "product", "localMaxSize=" + localMaxSize);
  }

  /** The cache {@code name} of products, configured by {@code spec} with one-hour TTLs. */
  static NearCache<String, Product> products(NearCacheClient client, Workload workload,
      String name, String spec) {
    return client.cache(name, CacheSpec.parse(spec + ",localTtl=1h,remoteTtl=1h"),
        workload.kryo);
  }

  /**
   * The cache "tagged" of products, each tagged with its id and its category (two tags), as
   * {@link #products}.
   */
  static NearCache<String, Product> taggedProducts(NearCacheClient client, Workload workload,
      long localMaxSize) {
    return client.cache("tagged", CacheSpec.parse("localMaxSize=" + localMaxSize
        + ",localTtl=1h,remoteTtl=1h"), KeyCodec.strings(), workload.kryo,
        p -> List.of("product:" + p.id(), "category:" + p.categoryId()));
  }

  /** A plain pooled Jedis client, as nearcache's own. */
  static RedisClient jedis(Workload workload) {
    return RedisClient.create(URI.create(workload.redisUri));
  }

  /** A Jedis client with client-side caching: RESP3 and a local cache of {@code maxSize}. */
  static RedisClient jedisWithClientSideCache(Workload workload, int maxSize) {
    URI uri = URI.create(workload.redisUri);
    return RedisClient.builder()
        .hostAndPort(JedisURIHelper.getHostAndPort(uri))
        .clientConfig(DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).build())
        .cacheConfig(CacheConfig.builder().maxSize(maxSize).build())
        .build();
  }

  /** A Redisson client of its own, with Redisson's defaults (Kryo 5 codec). */
  static RedissonClient redisson(Workload workload) {
    Config config = new Config();
    config.useSingleServer().setAddress(workload.redisUri);
    return Redisson.create(config);
  }
}
