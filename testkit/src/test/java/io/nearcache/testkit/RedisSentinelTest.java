package io.nearcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisSentinelClient;

class RedisSentinelTest {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSentinelTest.class);
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @Test
  void startsAndASentinelClientWritesToThePrimary() {
    long started = System.nanoTime();
    RedisSentinel sentinel = RedisSentinel.start();
    try (sentinel; RedisSentinelClient client = client(sentinel)) {
      LOG.info("sentinel topology started in {} ms", millisSince(started));
      RedisServer primary = sentinel.primary();
      assertThat(primary).isSameAs(sentinel.servers().get(0));
      assertThat(sentinel.replicas()).containsExactlyElementsOf(sentinel.servers().subList(1, 3));
      assertThat(sentinel.sentinels()).hasSize(3)
          .allMatch(address -> address.getPort() != 6379 && address.getPort() != 26379);
      assertThat(sentinel.masterName()).isEqualTo("mymaster");
      assertThat(client.getCurrentMaster())
          .isEqualTo(new HostAndPort(primary.host(), primary.port()));

      assertThat(client.set("k", "v")).isEqualTo("OK");

      assertThat(client.get("k")).isEqualTo("v");
      assertThat(primary.<String>withJedis(jedis -> jedis.get("k"))).isEqualTo("v");
      for (RedisServer replica : sentinel.replicas()) {
        await().atMost(PATIENCE)
            .until(() -> "v".equals(replica.withJedis(jedis -> jedis.get("k"))));
      }
      try (RedisServer stranger = RedisServer.start()) {
        assertThatThrownBy(() -> sentinel.awaitPrimaryOtherThan(stranger))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not a server of");
      }
    }

    sentinel.close();

    assertThat(sentinel.servers()).noneMatch(RedisServer::isRunning);
    assertThatThrownBy(sentinel::primary)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Sentinel");
  }

  @Test
  void sentinelFailoverMovesThePrimaryAndTheOldOneBecomesAReplica() {
    try (RedisSentinel sentinel = RedisSentinel.start();
        RedisSentinelClient client = client(sentinel)) {
      RedisServer old = sentinel.primary();
      client.set("k", "before");

      long started = System.nanoTime();
      RedisServer promoted = sentinel.failover();
      LOG.info("SENTINEL FAILOVER: new primary after {} ms", millisSince(started));

      // The trap: Sentinel turns the old primary into a replica only some 10 s later.
      assertThat(old.<String>withJedis(jedis -> jedis.info("replication"))).contains("role:master");

      assertThat(promoted).isNotSameAs(old);
      assertThat(sentinel.primary()).isSameAs(promoted);
      assertThat(sentinel.replicas()).contains(old).doesNotContain(promoted);
      assertThat(promoted.<String>withJedis(jedis -> jedis.get("k"))).isEqualTo("before");
      await().atMost(PATIENCE).ignoreExceptions()
          .until(() -> client.getCurrentMaster().getPort() == promoted.port()
              && "OK".equals(client.set("k", "after")));
      LOG.info("sentinel client writes to the new primary {} ms after SENTINEL FAILOVER",
          millisSince(started));

      sentinel.awaitHealthy();
      LOG.info("old primary is a replica in sync {} ms after SENTINEL FAILOVER",
          millisSince(started));
      assertThat(old.<String>withJedis(jedis -> jedis.info("replication")))
          .contains("role:slave", "master_port:" + promoted.port());
      assertThat(old.<String>withJedis(jedis -> jedis.get("k"))).isEqualTo("after");
    }
  }

  @Test
  void killOfThePrimaryGetsAReplicaPromoted() {
    try (RedisSentinel sentinel = RedisSentinel.start();
        RedisSentinelClient client = client(sentinel)) {
      RedisServer old = sentinel.primary();
      client.set("k", "before");
      for (RedisServer replica : sentinel.replicas()) {
        await().atMost(PATIENCE)
            .until(() -> "before".equals(replica.withJedis(jedis -> jedis.get("k"))));
      }

      long killed = System.nanoTime();
      old.kill();
      RedisServer promoted = sentinel.awaitPrimaryOtherThan(old);
      LOG.info("replica promoted {} ms after kill -9 of the primary", millisSince(killed));

      assertThat(sentinel.servers()).contains(promoted);
      assertThat(promoted).isNotSameAs(old);
      await().atMost(PATIENCE).ignoreExceptions()
          .until(() -> "OK".equals(client.set("k", "after")));
      LOG.info("sentinel client writes again {} ms after the kill", millisSince(killed));
      assertThat(promoted.<String>withJedis(jedis -> jedis.get("k"))).isEqualTo("after");
      sentinel.awaitHealthy();
      LOG.info("other replica follows the new primary {} ms after the kill", millisSince(killed));
      assertThat(sentinel.replicas()).contains(old);
    }
  }

  private static RedisSentinelClient client(RedisSentinel sentinel) {
    JedisClientConfig config = DefaultJedisClientConfig.builder()
        .timeoutMillis(1_000)
        .autoNegotiateProtocol(false)
        .build();
    return RedisSentinelClient.builder()
        .masterName(sentinel.masterName())
        .sentinels(sentinel.sentinels())
        .clientConfig(config)
        .sentinelClientConfig(config)
        .build();
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
