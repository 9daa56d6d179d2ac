package io.nearcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.args.ClusterFailoverOption;
import redis.clients.jedis.exceptions.JedisDataException;

class RedisClusterTest {

  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterTest.class);
  private static final Duration PATIENCE = Duration.ofSeconds(15);

  @Test
  void startsAndServesKeysOfEveryPrimary() {
    long started = System.nanoTime();
    try (RedisCluster cluster = RedisCluster.start();
        RedisClusterClient client = client(cluster)) {
      LOG.info("cluster started in {} ms", millisSince(started));
      List<RedisServer> primaries = cluster.primaries();
      List<RedisServer> replicas = cluster.replicas();
      assertThat(primaries).containsExactlyElementsOf(cluster.nodes().subList(0, 3));
      assertThat(replicas).containsExactlyElementsOf(cluster.nodes().subList(3, 6));
      assertThat(cluster.seeds()).hasSize(6);
      for (int i = 0; i < 3; i++) {
        assertThat(cluster.replicaOf(primaries.get(i))).isSameAs(replicas.get(i));
      }
      assertThat(cluster.primaryOf(0)).isSameAs(primaries.get(0));
      assertThat(cluster.primaryOf(5461)).isSameAs(primaries.get(1));
      assertThat(cluster.primaryOf(16383)).isSameAs(primaries.get(2));
      assertThat(cluster.nodeId(primaries.get(0))).hasSize(40);
      assertThat(cluster.nodes()).allMatch(node -> node.port() != 6379);

      Map<RedisServer, String> keys = keyPerPrimary(cluster);
      keys.forEach((primary, key) -> client.set(key, "v-" + key));

      keys.forEach((primary, key) -> {
        assertThat(client.get(key)).isEqualTo("v-" + key);
        assertThat(primary.<String>withJedis(jedis -> jedis.get(key))).isEqualTo("v-" + key);
        RedisServer replica = cluster.replicaOf(primary);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(readOnReplica(replica, key))
            .isEqualTo("v-" + key));
      });

      cluster.flushAll();
      keys.values().forEach(key -> assertThat(client.exists(key)).isFalse());
      assertThatThrownBy(() -> cluster.primaryOf(16384))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("16384");
      try (RedisServer stranger = RedisServer.start()) {
        assertThatThrownBy(() -> cluster.replicaOf(stranger))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not a node of");
      }

      cluster.close();
      cluster.close();

      assertThat(cluster.nodes()).noneMatch(RedisServer::isRunning);
      assertThatThrownBy(cluster::primaries)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no node");
    }
  }

  @Test
  void killOfAPrimaryPromotesItsReplicaAndTheRestartedNodeRejoinsAsReplica() {
    try (RedisCluster cluster = RedisCluster.start();
        RedisClusterClient client = client(cluster)) {
      RedisServer primary = cluster.primaries().get(1);
      RedisServer replica = cluster.replicaOf(primary);
      String key = keyPerPrimary(cluster).get(primary);
      client.set(key, "before");
      await().atMost(PATIENCE).untilAsserted(() -> assertThat(readOnReplica(replica, key))
          .isEqualTo("before"));

      long killed = System.nanoTime();
      primary.kill();
      cluster.awaitHealthy();
      LOG.info("replica promoted {} ms after kill -9 of its primary", millisSince(killed));

      assertThat(cluster.primaryOf(key)).isSameAs(replica);
      assertThat(cluster.primaries()).doesNotContain(primary).contains(replica);
      await().atMost(PATIENCE).ignoreExceptions()
          .until(() -> "OK".equals(client.set(key, "after")));
      LOG.info("cluster client writes again {} ms after the kill", millisSince(killed));
      assertThat(replica.<String>withJedis(jedis -> jedis.get(key))).isEqualTo("after");

      long restarted = System.nanoTime();
      primary.restart();
      cluster.awaitHealthy();
      LOG.info("killed node rejoined as replica {} ms after restart", millisSince(restarted));
      assertThat(cluster.replicaOf(replica)).isSameAs(primary);
      assertThat(readOnReplica(primary, key)).isEqualTo("after");
    }
  }

  @Test
  void failoverOfAReplicaSwapsTheRolesWithoutLosingWrites() {
    try (RedisCluster cluster = RedisCluster.start();
        RedisClusterClient client = client(cluster)) {
      RedisServer primary = cluster.primaries().get(0);
      RedisServer replica = cluster.replicaOf(primary);
      String key = keyPerPrimary(cluster).get(primary);
      client.set(key, "before");

      long started = System.nanoTime();
      cluster.failover(replica);
      LOG.info("CLUSTER FAILOVER swapped the roles in {} ms", millisSince(started));

      assertThat(cluster.primaries().get(0)).isSameAs(replica);
      assertThat(cluster.replicaOf(replica)).isSameAs(primary);
      assertThat(primary.<String>withJedis(jedis -> jedis.info("replication")))
          .contains("role:slave", "master_port:" + replica.port());
      await().atMost(PATIENCE).ignoreExceptions()
          .until(() -> "before".equals(client.get(key)));
      assertThat(client.set(key, "after")).isEqualTo("OK");
      assertThat(replica.<String>withJedis(jedis -> jedis.get(key))).isEqualTo("after");
      assertThatThrownBy(() -> cluster.failover(replica, ClusterFailoverOption.FORCE))
          .isInstanceOf(JedisDataException.class);
    }
  }

  @Test
  void pausedPrimaryIsTakenOverAndRejoinsAsReplicaWhenResumed() {
    try (RedisCluster cluster = RedisCluster.start();
        RedisClusterClient client = client(cluster)) {
      RedisServer primary = cluster.primaries().get(2);
      RedisServer replica = cluster.replicaOf(primary);
      String key = keyPerPrimary(cluster).get(primary);

      primary.pause();
      try {
        long started = System.nanoTime();
        cluster.failover(replica, ClusterFailoverOption.FORCE);
        LOG.info("CLUSTER FAILOVER FORCE replaced a paused primary in {} ms",
            millisSince(started));
        assertThat(cluster.primaryOf(key)).isSameAs(replica);
        await().atMost(PATIENCE).ignoreExceptions()
            .until(() -> "OK".equals(client.set(key, "while paused")));
      } finally {
        primary.resume();
      }

      long resumed = System.nanoTime();
      cluster.awaitHealthy();
      LOG.info("resumed primary rejoined as replica in {} ms", millisSince(resumed));
      assertThat(cluster.replicaOf(replica)).isSameAs(primary);
      assertThat(readOnReplica(primary, key)).isEqualTo("while paused");
    }
  }

  @Test
  void aBusPortOverPortPlus10000IsRecognisedAsABusPortFailure() {
    // Later options win: the node listens on 65000, so its bus port would be 75000.
    assertThatThrownBy(() -> RedisServer.start("--cluster-enabled", "yes", "--port", "65000"))
        .isInstanceOfSatisfying(IllegalStateException.class,
            e -> assertThat(RedisCluster.isBusPortFailure(e)).as(e.getMessage()).isTrue());
  }

  /** A key of each primary, in {@link RedisCluster#primaries()} order. */
  private static Map<RedisServer, String> keyPerPrimary(RedisCluster cluster) {
    Map<RedisServer, String> keys = new LinkedHashMap<>();
    List<RedisServer> primaries = new ArrayList<>(cluster.primaries());
    for (RedisServer primary : primaries) {
      keys.put(primary, null);
    }
    for (int i = 0; keys.containsValue(null); i++) {
      String key = "key-" + i;
      keys.replace(cluster.primaryOf(key), null, key);
    }
    return keys;
  }

  /** A replica answers MOVED to a GET unless the connection is READONLY first. */
  private static String readOnReplica(RedisServer replica, String key) {
    return replica.withJedis(jedis -> {
      jedis.readonly();
      return jedis.get(key);
    });
  }

  private static RedisClusterClient client(RedisCluster cluster) {
    return RedisClusterClient.builder()
        .nodes(cluster.seeds())
        .clientConfig(DefaultJedisClientConfig.builder()
            .timeoutMillis(1_000)
            .autoNegotiateProtocol(false)
            .build())
        .build();
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
