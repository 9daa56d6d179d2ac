package io.nearcache.examples.catalog;

import io.nearcache.KeyCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Mode {@code redis}: the seed's design. A read GETs the JSON of the result from Redis; on a miss,
 * an in-process lock lets one request per key load from the database while the others in this
 * JVM wait for it, and the result is SET with its TTL. There is no local tier: every read pays a
 * round trip. As in the seed, a Redis failure is logged and the read goes to the database.
 */
final class RedisCache implements CatalogCache {
  private static final Logger log = LoggerFactory.getLogger(RedisCache.class);

  private final RedisClient redis;
  private final String prefix;
  private final CacheSettings settings;
  private final ConcurrentHashMap<String, CompletableFuture<byte[]>> locks =
      new ConcurrentHashMap<>();

  RedisCache(String redisUri, String prefix, CacheSettings settings) {
    if (!RedisAddress.isStandalone(redisUri)) {
      // Its price change SCANs for listings, as the seed's does: one server only.
      throw new IllegalArgumentException("the redis mode needs one Redis server, not " + redisUri);
    }
    this.redis = RedisClient.create(URI.create(redisUri));
    this.prefix = prefix + ":cache:";
    this.settings = settings;
  }

  @Override
  public byte[] listing(ListingQuery query, Supplier<ListingBody> loader) {
    // Only the body is stored: this mode drops every listing on a change, as the seed does.
    return withCache("listing:" + KeyCodec.structured().encode(query.asKey()),
        settings.listing().remoteTtl(), () -> loader.get().body());
  }

  @Override
  public byte[] product(long id, LongFunction<byte[]> loader) {
    return withCache("product:" + id, settings.product().remoteTtl(), () -> loader.apply(id));
  }

  @Override
  public byte[] categories(Supplier<byte[]> loader) {
    return withCache("categories", settings.category().remoteTtl(), loader);
  }

  @Override
  public void productChanged(long id) {
    try {
      redis.del(key("product:" + id));
      ScanParams listings = new ScanParams().match(prefix + "listing:*").count(1_000);
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = redis.scan(cursor, listings);
        if (!page.getResult().isEmpty()) {
          redis.unlink(page.getResult().toArray(String[]::new));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    } catch (JedisException e) {
      // The seed logs and goes on: entries left behind live out their TTL.
      log.error("invalidation after a change of product {} failed", id, e);
    }
  }

  private byte[] withCache(String name, Duration ttl, Supplier<byte[]> loader) {
    byte[] key = key(name);
    byte[] cached = get(key);
    if (cached != null) {
      return cached;
    }
    CompletableFuture<byte[]> mine = new CompletableFuture<>();
    CompletableFuture<byte[]> theirs = locks.putIfAbsent(name, mine);
    if (theirs != null) {
      return join(theirs);
    }
    try {
      byte[] value = loader.get();
      if (value != null) { // as the seed, "nothing" is not cached
        set(key, value, ttl);
      }
      mine.complete(value);
      return value;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      locks.remove(name, mine);
    }
  }

  private byte[] get(byte[] key) {
    try {
      return redis.get(key);
    } catch (JedisException e) {
      log.error("GET failed; reading the database", e);
      return null;
    }
  }

  private void set(byte[] key, byte[] value, Duration ttl) {
    try {
      redis.set(key, value, SetParams.setParams().px(ttl.toMillis()));
    } catch (JedisException e) {
      log.error("SET failed; the value is served but not cached", e);
    }
  }

  private static byte[] join(CompletableFuture<byte[]> load) {
    try {
      return load.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private byte[] key(String name) {
    return (prefix + name).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    redis.close();
  }
}
