package io.nearcache.internal.redis;

import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import redis.clients.jedis.UnifiedJedis;

/** Reads fields of {@code INFO} replies, and what a deployment with one primary asks of it. */
final class Info {
  private Info() {}

  /** The primary's {@code master_replid}, for each of {@code groups}: they all live there. */
  static Map<Integer, String> historyIds(UnifiedJedis primary, Collection<Integer> groups) {
    String id = field(primary.info("replication"), "master_replid");
    return groups.stream().collect(Collectors.toMap(Function.identity(), group -> id));
  }

  /** The server's {@code redis_version}. */
  static String version(UnifiedJedis server) {
    return field(server.info("server"), "redis_version");
  }

  /** The value of {@code name} in {@code info}, or {@code ""} if there is none. */
  static String field(String info, String name) {
    String prefix = name + ":";
    return info.lines().filter(line -> line.startsWith(prefix))
        .map(line -> line.substring(prefix.length()).trim()).findFirst().orElse("");
  }
}
