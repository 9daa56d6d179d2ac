package io.nearcache.internal.l2;

import io.nearcache.internal.keys.KeyLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * One cache's L2: values as bytes in Redis under the cache's current generation. Every method may
 * throw {@link JedisException}; callers decide whether that reaches their caller.
 *
 * <p>The generation is read from Redis once and then followed through invalidation messages;
 * {@link #forgetGeneration()} makes the next call read it again, which is what an instance does
 * when it may have missed a message. While it is unknown and Redis cannot be read, no L2 call runs:
 * reading under a stale generation could serve values that {@code invalidateAll} removed.
 */
public final class RemoteStore {
  private static final long UNKNOWN = -1;

  private final UnifiedJedis jedis;
  private final KeyLayout layout;
  private final long ttlMillis;
  private final AtomicLong generation = new AtomicLong(UNKNOWN);

  /** Creates the L2 of one cache, writing values with {@code ttl}. */
  public RemoteStore(UnifiedJedis jedis, KeyLayout layout, Duration ttl) {
    this.jedis = jedis;
    this.layout = layout;
    this.ttlMillis = ttl.toMillis();
  }

  /** The value bytes of {@code key}, or {@code null}. */
  public byte[] get(String key) {
    return jedis.get(layout.valueKey(generation(), key));
  }

  /** The value bytes of each key, {@code null} where absent, in one round trip. */
  public List<byte[]> getAll(List<String> keys) {
    long gen = generation();
    List<Response<byte[]>> responses = new ArrayList<>(keys.size());
    try (AbstractPipeline pipeline = jedis.pipelined()) {
      for (String key : keys) {
        responses.add(pipeline.get(layout.valueKey(gen, key)));
      }
      pipeline.sync();
    }
    List<byte[]> values = new ArrayList<>(responses.size());
    for (Response<byte[]> response : responses) {
      values.add(response.get());
    }
    return values;
  }

  /** Stores {@code value} under {@code key} with the cache's remote TTL. */
  public void set(String key, byte[] value) {
    jedis.set(layout.valueKey(generation(), key), value, SetParams.setParams().px(ttlMillis));
  }

  /** Stores every entry with the cache's remote TTL in one round trip. */
  public void setAll(Map<String, byte[]> values) {
    long gen = generation();
    try (AbstractPipeline pipeline = jedis.pipelined()) {
      values.forEach((key, value) ->
          pipeline.set(layout.valueKey(gen, key), value, SetParams.setParams().px(ttlMillis)));
      pipeline.sync();
    }
  }

  /** Deletes {@code key}'s value. */
  public void delete(String key) {
    jedis.del(layout.valueKey(generation(), key));
  }

  /**
   * Moves the cache to a new generation, making every current value unreachable.
   *
   * @return the new generation
   */
  public long bumpGeneration() {
    long next = jedis.incr(layout.generationKey());
    advanceGeneration(next);
    return next;
  }

  /** Follows a generation announced by another instance, if it is newer than the known one. */
  public void advanceGeneration(long announced) {
    // While unknown, stay unknown: Redis may hold a newer one still.
    generation.updateAndGet(known -> known == UNKNOWN ? UNKNOWN : Math.max(known, announced));
  }

  /** Makes the next call read the generation from Redis again. */
  public void forgetGeneration() {
    generation.set(UNKNOWN);
  }

  /** The known generation, read from Redis when unknown. */
  public long generation() {
    long known = generation.get();
    if (known != UNKNOWN) {
      return known;
    }
    byte[] stored = jedis.get(layout.generationKey());
    long read;
    try {
      read = stored == null ? 0 : Long.parseLong(new String(stored, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      throw new JedisDataException("generation key holds a non-number; delete it to reset", e);
    }
    return generation.accumulateAndGet(read, Math::max);
  }
}
