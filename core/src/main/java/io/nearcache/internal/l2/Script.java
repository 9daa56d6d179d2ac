package io.nearcache.internal.l2;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script, sent by its SHA1 ({@code EVALSHA}) so that a call carries only its keys and
 * arguments. A server that lacks it ({@code NOSCRIPT}: restarted, or a replica promoted since,
 * since {@code SCRIPT LOAD} is not replicated) gets it once in full ({@code EVAL}), which caches it
 * there again. In a pipeline it is sent by its SHA1 too; a {@code NOSCRIPT} reply there fails that
 * call alone, which the caller runs again with {@link #run}.
 */
public final class Script {
  private final byte[] source;
  private final byte[] sha;

  /** A script of {@code source}, whose SHA1 is computed here, not asked of Redis. */
  public Script(String source) {
    this.source = source.getBytes(StandardCharsets.UTF_8);
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(this.source))
          .getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  /**
   * Runs the script in one round trip, or two the first time a server sees it.
   *
   * @throws redis.clients.jedis.exceptions.JedisException if Redis fails or rejects the call
   */
  public Object run(UnifiedJedis jedis, List<byte[]> keys, List<byte[]> args) {
    try {
      return jedis.evalsha(sha, keys, args);
    } catch (JedisNoScriptException e) {
      return jedis.eval(source, keys, args);
    }
  }

  /** The script's code, as {@code EVAL} sends it. */
  public byte[] source() {
    return source.clone();
  }

  /**
   * Queues the script, by its SHA1, in {@code pipeline}; its reply throws {@link
   * JedisNoScriptException} if the server lacks it (the script did not run).
   */
  Response<Object> queue(AbstractPipeline pipeline, List<byte[]> keys, List<byte[]> args) {
    return pipeline.evalsha(sha, keys, args);
  }
}
