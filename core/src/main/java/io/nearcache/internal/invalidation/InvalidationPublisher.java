package io.nearcache.internal.invalidation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import io.nearcache.internal.invalidation.InvalidationMessage.Kind;
import io.nearcache.internal.resilience.CircuitBreaker;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Publishes a client's invalidations, several keys per message when writes come fast.
 *
 * <p>Each call returns only once its invalidation was published (or failed), so a write that
 * returns has been announced. Writers queue their invalidation, then take the publish lock; the
 * one holding it publishes everything queued, one message per cache, so writers that arrive while a
 * publish is in flight ride together in the next message (flat combining: no extra thread, no
 * timer, no added latency when writes are rare).
 */
public final class InvalidationPublisher {
  /** Keeps one message well under Redis' default 32 MiB pub/sub output-buffer hard limit. */
  static final int MAX_KEYS_PER_MESSAGE = 512;

  private final UnifiedJedis jedis;
  private final CircuitBreaker breaker;
  private final byte[] channel;
  private final String senderId;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock lock = new ReentrantLock();
  private long sequence; // guarded by lock

  /** Creates a publisher sending on {@code channel} through {@code jedis} as {@code senderId}. */
  public InvalidationPublisher(UnifiedJedis jedis, CircuitBreaker breaker, byte[] channel,
      String senderId) {
    this.jedis = jedis;
    this.breaker = breaker;
    this.channel = channel.clone();
    this.senderId = senderId;
  }

  /**
   * Announces that {@code key} of {@code cache} changed.
   *
   * @throws JedisException if the message could not be published
   */
  public void publishKey(String cache, long generation, String key) {
    publish(new Pending(cache, generation, key));
  }

  /**
   * Announces that every entry of {@code cache} is invalid and its generation is now {@code
   * generation}.
   *
   * @throws JedisException if the message could not be published
   */
  public void publishWholeCache(String cache, long generation) {
    publish(new Pending(cache, generation, null));
  }

  /**
   * Publishes a heartbeat stamped with Redis' clock, which the sender's own subscriber must hear.
   *
   * @throws JedisException if Redis could not be reached
   */
  public void publishHeartbeat() {
    long redisMillis = redisMillis();
    lock.lock();
    try {
      sendOrThrow(new InvalidationMessage(senderId, ++sequence, "", Kind.HEARTBEAT, redisMillis,
          List.of()));
    } finally {
      lock.unlock();
    }
  }

  private void publish(Pending pending) {
    queue.add(pending);
    lock.lock();
    try {
      if (!pending.processed) {
        drain();
      }
    } finally {
      lock.unlock();
    }
    // The lock orders our read after the write by whoever processed it.
    if (pending.failure != null) {
      throw pending.failure;
    }
  }

  private void drain() {
    Map<String, List<Pending>> byCache = new LinkedHashMap<>();
    for (Pending p; (p = queue.poll()) != null; ) {
      byCache.computeIfAbsent(p.cache, c -> new ArrayList<>()).add(p);
    }
    byCache.forEach(this::send);
  }

  private void send(String cache, List<Pending> batch) {
    long generation = batch.stream().mapToLong(p -> p.generation).max().orElseThrow();
    if (batch.stream().anyMatch(p -> p.key == null)) {
      // A whole-cache message covers every key queued beside it.
      send(batch, new InvalidationMessage(senderId, ++sequence, cache, Kind.WHOLE_CACHE,
          generation, List.of()));
      return;
    }
    for (int from = 0; from < batch.size(); from += MAX_KEYS_PER_MESSAGE) {
      int to = Math.min(batch.size(), from + MAX_KEYS_PER_MESSAGE);
      List<Pending> chunk = batch.subList(from, to);
      List<String> keys = chunk.stream().map(p -> p.key).distinct().toList();
      send(chunk, new InvalidationMessage(senderId, ++sequence, cache, Kind.KEYS, generation,
          keys));
    }
  }

  private void send(List<Pending> covered, InvalidationMessage message) {
    JedisException failure = null;
    try {
      sendOrThrow(message);
    } catch (JedisException e) {
      failure = e;
    }
    for (Pending p : covered) {
      p.failure = failure;
      p.processed = true;
    }
  }

  /**
   * Redis' clock, in ms: the clock of the invalidation logs' entry ids.
   *
   * @throws JedisException if Redis could not be reached
   */
  public long redisMillis() {
    List<?> secondsAndMicros = (List<?>) breaker.call(() -> jedis.sendCommand(Command.TIME));
    return Long.parseLong(SafeEncoder.encode((byte[]) secondsAndMicros.get(0))) * 1000
        + Long.parseLong(SafeEncoder.encode((byte[]) secondsAndMicros.get(1))) / 1000;
  }

  private void sendOrThrow(InvalidationMessage message) {
    byte[] bytes = message.encode();
    breaker.call(() -> jedis.publish(channel, bytes));
  }

  /** One queued invalidation; fields written and read under {@link #lock}. */
  private static final class Pending {
    final String cache;
    final long generation;
    final String key; // null: the whole cache
    boolean processed;
    JedisException failure;

    Pending(String cache, long generation, String key) {
      this.cache = cache;
      this.generation = generation;
      this.key = key;
    }
  }
}
