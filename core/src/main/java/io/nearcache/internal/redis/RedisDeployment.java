package io.nearcache.internal.redis;

import java.util.List;
import redis.clients.jedis.Connection;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The one place that knows how a client's Redis is deployed. The rest of the library asks it for
 * commands, subscriber connections, the channels a group's changes are announced on, and the
 * identity of the history a group's log belongs to; it never learns whether it runs on one server,
 * a Sentinel-guarded primary or a Cluster. Standalone Redis is {@link StandaloneRedis}; Sentinel
 * and Cluster are meant to be further implementations, not edits across the code.
 *
 * <p>Every method that talks to Redis may throw {@link JedisException}; callers run those calls
 * through the client's circuit breaker.
 */
public interface RedisDeployment extends AutoCloseable {
  /** Runs commands and scripts. Each script touches keys of one slot group only. */
  UnifiedJedis commands();

  /**
   * Opens a connection for the invalidation subscriber, which owns it from then on and closes it
   * (as broken: a pub/sub connection is never reused for commands).
   *
   * @throws JedisException if Redis cannot be reached
   */
  Connection subscriberConnection();

  /**
   * The command the change scripts announce a change with: {@code PUBLISH}, or {@code SPUBLISH}
   * where a group's channel must live in the group's slot.
   */
  byte[] publishCommand();

  /** The channel the changes of {@code group} of {@code prefix} are announced on. */
  byte[] channel(String prefix, int group);

  /** Every distinct channel of {@code prefix}: what one subscriber connection listens to. */
  List<byte[]> channels(String prefix);

  /**
   * For each slot group, in group order, the identity of the history its log and numbering belong
   * to. It changes when the server holding them lost them: a restarted server (this library keeps
   * nothing on disk), and, on the deployments that have one, a failover. Numbers of one history
   * say nothing about another. One round trip per server.
   *
   * @throws JedisException if Redis cannot be reached
   */
  List<String> historyIds();

  /**
   * The Redis version of the server(s), as {@code INFO server} reports it (e.g. {@code 7.0.15}).
   *
   * @throws JedisException if Redis cannot be reached
   */
  String serverVersion();

  /** Closes the connections this deployment opened; a client the caller passed in stays open. */
  @Override
  void close();
}
