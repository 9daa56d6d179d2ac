package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.l2.Frame;
import io.nearcache.testkit.RedisCluster;
import io.nearcache.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.args.ClusterFailoverOption;
import redis.clients.jedis.params.ClientKillParams;

/**
 * The history check on a Redis Cluster under the faults a cluster has: a primary killed with kill
 * -9 (its replica is promoted by the cluster), a coordinated CLUSTER FAILOVER, and a primary
 * paused; and a failover made to lose an acknowledged write, deterministically. Outside the fault
 * windows no read may lag a completed write beyond the propagation bound; after the last repair
 * every L1, L2 and the database agree; the worst lag inside a window is printed.
 */
class ClusterFaultTest {
  private static final Duration RUN = Duration.ofSeconds(20);
  private static final int CLIENTS = 3;
  private static final CacheSpec SPEC =
      CacheSpec.parse("localTtl=1h,remoteTtl=1h,leaseTimeout=2s");
  private RedisCluster cluster;

  @BeforeEach
  void startCluster() {
    cluster = RedisCluster.start();
  }

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  private Fleet fleet(int size) {
    String seed = cluster.seeds().iterator().next().toString();
    return new Fleet(size, builder -> builder.cluster(seed));
  }

  @Test
  void failoversNeverLeaveAStaleReadOutsideTheirWindows() throws Exception {
    List<History.Window> windows = new ArrayList<>();
    try (Fleet fleet = fleet(CLIENTS)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      History history = new History(caches);
      ExecutorService injector = Executors.newSingleThreadExecutor();
      Future<?> faults = injector.submit(() -> {
        Concurrently.pause(Duration.ofSeconds(2));
        windows.add(killAPrimary());
        windows.add(coordinatedFailover());
        windows.add(pauseAPrimary());
        return null;
      });
      history.run(RUN);
      faults.get(30, TimeUnit.SECONDS);
      injector.shutdown();

      History.FaultVerdict verdict =
          history.judge(windows, HistoryCheckTest.PROPAGATION_BOUND);
      int reads = history.reads().size();
      verdict.print("cluster", windows, reads, history.writes.size(),
          HistoryCheckTest.PROPAGATION_BOUND);
      assertThat(windows).hasSize(3);
      assertThat(reads).as("reads checked").isGreaterThan(10_000);
      assertThat(verdict.outside().violations()).isEmpty();
      assertThat(verdict.after().violations()).isEmpty();
      cluster.awaitHealthy();
      history.assertSettled(storedIn(cluster));
    }
  }

  /**
   * Pause the replica of a group's primary, cut its link, write, kill the primary, resume the
   * replica and promote it: the new primary holds the value the write superseded, and none of its
   * log entry. No client may serve that value again, from L1 or L2.
   */
  @Test
  void aFailoverThatLosesAnAcknowledgedWriteServesNoSupersededValue() {
    int group = 5;
    String key = ClusterTest.keyOfGroup(group);
    try (Fleet fleet = fleet(2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      DefaultNearCache<String, String> writer = caches.get(0);
      DefaultNearCache<String, String> reader = caches.get(1);
      writer.put(key, "v1");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(reader.get(key, k -> "db")).isEqualTo("v1"));
      RedisServer primary = cluster.primaryOf(KeyLayout.slot(Fleet.PREFIX, group));
      RedisServer replica = cluster.replicaOf(primary);
      byte[] generation;
      try (RedisClusterClient jedis = RedisClusterClient.builder().nodes(cluster.seeds())
          .build()) {
        generation = jedis.get(generationKey());
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> stored(replica, generation, key, "v1"));

      replica.pause();
      // The replication stream the primary wrote before dying would wait in the paused replica's
      // socket buffer and be applied on resume: cut the link first, as a partition would.
      primary.withJedis(j -> j.clientKill(new ClientKillParams().type(ClientType.REPLICA)));
      writer.put(key, "v2"); // acknowledged by the primary alone
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(reader.get(key, k -> "db")).isEqualTo("v2"));
      primary.kill();
      replica.resume();
      long failedOver = System.nanoTime();
      cluster.failover(replica, ClusterFailoverOption.TAKEOVER);
      assertThat(stored(replica, generation, key, "v1")).as("the promoted replica lost v2")
          .isTrue();

      // The database holds v2: a loader returns it.
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        for (DefaultNearCache<String, String> cache : caches) {
          assertThat(cache.servesL1()).isTrue();
          assertThat(cache.get(key, k -> "v2")).isEqualTo("v2");
        }
      });
      double repairedMs = (System.nanoTime() - failedOver) / 1e6;
      for (int i = 0; i < 200; i++) {
        for (DefaultNearCache<String, String> cache : caches) {
          assertThat(cache.get(key, k -> "v2")).as("never the superseded v1").isEqualTo("v2");
          assertThat(cache.peekLocal(key)).isIn(null, "v2");
        }
      }
      try (NearCacheClient late = NearCacheClient.builder()
          .cluster(replica.host() + ":" + replica.port()).keyPrefix(Fleet.PREFIX).build()) {
        NearCache<String, String> fresh = late.cache("product", SPEC, new StringSerializer());
        assertThat(fresh.get(key, k -> "v2")).as("L2 under the new generation").isEqualTo("v2");
      }
      System.out.printf("lost write: the promoted replica held v1 under the old generation; every"
          + " client served v2 again %.0f ms after the takeover began%n", repairedMs);
    }
  }

  /** Whether {@code node} holds {@code value} for {@code key} under {@code generation}. */
  private static boolean stored(RedisServer node, byte[] generation, String key, String value) {
    byte[] frame = node.withJedis(j -> {
      j.readonly();
      return j.get(valueKey(generation, key));
    });
    return frame != null
        && new String(Frame.payload(frame), StandardCharsets.UTF_8).equals(value);
  }

  private History.Window killAPrimary() {
    long start = System.nanoTime();
    RedisServer primary = cluster.primaryOf(KeyLayout.slot(Fleet.PREFIX, 3));
    primary.kill();
    cluster.awaitHealthy(); // its replica is promoted
    primary.restart(); // rejoins as a replica
    cluster.awaitHealthy();
    return window("kill -9 of a primary", start);
  }

  private History.Window coordinatedFailover() {
    long start = System.nanoTime();
    RedisServer primary = cluster.primaryOf(KeyLayout.slot(Fleet.PREFIX, 8));
    cluster.failover(cluster.replicaOf(primary));
    return window("CLUSTER FAILOVER", start);
  }

  private History.Window pauseAPrimary() {
    long start = System.nanoTime();
    RedisServer primary = cluster.primaryOf(KeyLayout.slot(Fleet.PREFIX, 12));
    primary.pause();
    Concurrently.pause(Duration.ofMillis(800)); // shorter than the node timeout: no failover
    primary.resume();
    return window("SIGSTOP of a primary 800 ms", start);
  }

  private static History.Window window(String fault, long start) {
    return new History.Window(fault, start,
        System.nanoTime() + HistoryCheckTest.RECOVERY_ALLOWANCE.toNanos());
  }

  /** What the cluster holds for a key of cache "product", under its current generation. */
  static Function<String, byte[]> storedIn(RedisCluster cluster) {
    return key -> {
      try (RedisClusterClient jedis = RedisClusterClient.builder().nodes(cluster.seeds())
          .build()) {
        return History.storedUnderCurrentGeneration(jedis::get).apply(key);
      }
    };
  }

  private static byte[] generationKey() {
    return new KeyLayout(Fleet.PREFIX, "product", SlotGroups.defaults()).generationKey();
  }

  private static byte[] valueKey(byte[] generation, String key) {
    long gen = generation == null ? 0
        : Long.parseLong(new String(generation, StandardCharsets.US_ASCII));
    return new KeyLayout(Fleet.PREFIX, "product", SlotGroups.defaults()).valueKey(gen, key);
  }
}
