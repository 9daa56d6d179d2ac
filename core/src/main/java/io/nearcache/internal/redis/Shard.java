package io.nearcache.internal.redis;

import java.util.List;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;

/**
 * A server that owns slot groups now, as the deployment last learned its topology: where one
 * subscriber connection listens to the changes of those groups. Two shards are the same listener
 * if their id and groups are equal.
 *
 * @param id the server's address (or, on one server, a fixed name): it changes when a failover
 *     moves the groups to another server
 * @param groups the groups it owns, ascending
 * @param connections opens a connection to this server for a subscriber, which owns it from then
 *     on; throws {@link redis.clients.jedis.exceptions.JedisException} if the server cannot be
 *     reached or no longer is this shard
 */
public record Shard(String id, List<Integer> groups, Supplier<Connection> connections) {
  /** Copies {@code groups}. */
  public Shard {
    groups = List.copyOf(groups);
  }

  /** Whether {@code other} listens to the same server for the same groups. */
  public boolean sameAs(Shard other) {
    return id.equals(other.id) && groups.equals(other.groups);
  }
}
