package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.testkit.RedisCluster;
import io.nearcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClusterClient;

/**
 * nearcache on a Redis Cluster of three primaries and three replicas started by testkit: changes
 * reach every client, a cold key is loaded once across the fleet, and the subscriptions follow a
 * slot that moves to another primary. From Redis 7.0 each group has a sharded channel in its own
 * slot and a client listens on each primary that owns groups; on 6.2 one classic channel serves.
 */
class ClusterTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @BeforeEach
  void empty() {
    cluster.flushAll();
  }

  static Fleet fleet(int size) {
    String seeds = cluster.seeds().iterator().next().toString();
    return new Fleet(size, builder -> builder.cluster(seeds));
  }

  static boolean sharded() {
    return !cluster.nodes().get(0).version().startsWith("6.");
  }

  @Test
  void aChangeReachesEveryClientThroughOneSubscriptionPerPrimaryThatOwnsGroups() {
    try (Fleet fleet = fleet(3)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      for (int group = 0; group < SlotGroups.DEFAULT; group++) {
        String key = keyOfGroup(group);
        caches.forEach(cache -> assertThat(cache.get(key, k -> "old")).isEqualTo("old"));
        caches.get(0).put(key, "new");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> caches.forEach(
            cache -> assertThat(cache.get(key, k -> "loaded")).isEqualTo("new")));
      }
      Set<String> owners = SlotGroups.defaults().all().stream()
          .map(group -> cluster.primaryOf(KeyLayout.slot(Fleet.PREFIX, group)).port())
          .map(port -> "127.0.0.1:" + port).collect(Collectors.toSet());
      Set<String> listened = subscribedServers();
      assertThat(listened).as("one subscription per primary owning groups (sharded), else one")
          .hasSize(sharded() ? owners.size() : 1);
      assertThat(owners).containsAll(listened);
      // Sharded subscriptions are probed by subscribing to a channel again; answered too.
      List<Duration> lags = new CopyOnWriteArrayList<>();
      fleet.client(0).onProbeLag(lags::add);
      await().atMost(Duration.ofSeconds(5)).until(() -> lags.size() >= 2 * listened.size());
      System.out.printf("cluster: %d primaries own the %d groups; a client listens on %s;"
          + " probe lags %s%n", owners.size(), SlotGroups.DEFAULT, listened, lags);
    }
  }

  @Test
  void aStampedeOnOneColdKeyCallsTheLoaderOnceAcrossTheFleet() throws Exception {
    try (Fleet fleet = fleet(4)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      AtomicInteger loads = new AtomicInteger();
      List<String> results = Concurrently.onEveryCache(caches, 64, cache -> List.of(
          cache.get("cold", k -> {
            loads.incrementAndGet();
            Concurrently.pause(Duration.ofMillis(200));
            return "value of " + k;
          })));

      assertThat(results).hasSize(4 * 64).containsOnly("value of cold");
      assertThat(loads).hasValue(1);
    }
  }

  /**
   * A getAll's keys fall into every slot group, on every primary: each of its commands (the
   * leases, the writes, then another client's MGETs) holds the keys of one group, which a Cluster
   * requires, and every key is loaded once across the fleet.
   */
  @Test
  void aGetAllOfKeysInEveryGroupLoadsEachOnceAndIsReadByAnotherClient() {
    try (Fleet fleet = fleet(2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      List<String> keys = new ArrayList<>();
      for (int group = 0; group < SlotGroups.DEFAULT; group++) {
        keys.add(keyOfGroup(group));
        keys.add(keyOfGroup(group) + "-2");
      }
      AtomicInteger loads = new AtomicInteger();
      Function<Set<String>, Map<String, String>> loader = missing -> {
        loads.addAndGet(missing.size());
        return missing.stream().collect(Collectors.toMap(k -> k, k -> "v-" + k));
      };
      Map<String, String> expected =
          keys.stream().collect(Collectors.toMap(k -> k, k -> "v-" + k));

      assertThat(caches.get(0).getAll(keys, loader)).isEqualTo(expected);
      assertThat(caches.get(1).getAll(keys, loader)).isEqualTo(expected);
      assertThat(loads).as("each key loaded once").hasValue(keys.size());
      assertThat(caches.get(1).stats().l2Hits()).isEqualTo(keys.size());
      assertThat(caches.get(0).stats().redisErrors() + caches.get(1).stats().redisErrors())
          .isZero();
    }
  }

  /**
   * Tags on a cluster: the tag records and the tag epoch share group 00's slot, so the
   * invalidation script and the MGET of tag versions each touch one slot, whatever the tags.
   */
  @Test
  void tagInvalidationsReachEveryClientAndOldValuesAreJudgedByOneMget() {
    try (Fleet fleet = fleet(3)) {
      List<DefaultNearCache<String, String>> caches = fleet.taggedCaches("listing", SPEC);
      caches.get(0).get("page-1", k -> "p1,p2|one");
      caches.get(0).get("page-2", k -> "p3|two");
      caches.get(1).get("page-1", k -> "not loaded: an L2 hit");

      caches.get(1).invalidateTags(List.of("p1", "p9"));

      await().atMost(Duration.ofSeconds(2)).until(() -> caches.get(0).peekLocal("page-1") == null);
      assertThat(caches.get(0).peekLocal("page-2")).isEqualTo("p3|two");
      assertThat(caches.get(0).get("page-1", k -> "p1,p2|one, repriced"))
          .isEqualTo("p1,p2|one, repriced");
      // The third client learns the tag epoch now, above page-2's: p3's version comes by MGET.
      assertThat(caches.get(2).get("page-2", k -> "loaded again")).isEqualTo("p3|two");
      assertThat(caches.get(2).get("page-1", k -> "loaded again"))
          .isEqualTo("p1,p2|one, repriced");
      assertThat(caches.get(2).stats().loadCount()).isZero();
      assertThat(caches.get(2).stats().redisErrors()).isZero();
    }
  }

  /**
   * A slot migration: Redis 7 ends the sharded subscriptions of the slot with a SUNSUBSCRIBE,
   * which Jedis' loop takes as a normal end, and a resubscribe to the old primary gets MOVED until
   * the topology is read again. Changes of the moved group must reach every client afterwards.
   */
  @Test
  void changesOfAGroupWhoseSlotMovedStillReachEveryClient() {
    try (Fleet fleet = fleet(2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      int group = 7;
      String key = keyOfGroup(group);
      int slot = KeyLayout.slot(Fleet.PREFIX, group);
      RedisServer from = cluster.primaryOf(slot);
      RedisServer to = cluster.primaries().stream().filter(p -> p != from).findFirst()
          .orElseThrow();

      moveEmptySlot(slot, from, to);

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(subscribedServers()).contains("127.0.0.1:" + to.port()));
      assertThat(caches.get(1).get(key, k -> "old")).isEqualTo("old");
      caches.get(0).put(key, "new");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(caches.get(1).get(key, k -> "loaded")).isEqualTo("new"));
      await().atMost(Duration.ofSeconds(5)).until(caches.get(1)::servesL1);
    }
  }

  /**
   * A caller's cluster client whose topology went stale before the client was built: the first
   * subscription to the group's old primary gets MOVED, and the client must find the new one.
   */
  @Test
  void aStaleTopologyAtStartIsCorrectedByTheMovedReply() {
    int group = 9;
    int slot = KeyLayout.slot(Fleet.PREFIX, group);
    try (RedisClusterClient stale = RedisClusterClient.builder().nodes(cluster.seeds()).build()) {
      RedisServer from = cluster.primaryOf(slot);
      RedisServer to = cluster.primaries().stream().filter(p -> p != from).findFirst()
          .orElseThrow();
      moveEmptySlot(slot, from, to);
      try (Fleet fleet = new Fleet(1, builder -> builder.jedis(stale));
          NearCacheClient other = NearCacheClient.builder()
              .cluster(cluster.seeds().iterator().next().toString())
              .keyPrefix(Fleet.PREFIX).build()) {
        DefaultNearCache<String, String> reader = fleet.caches("product", SPEC).get(0);
        NearCache<String, String> writer = other.cache("product", SPEC, new StringSerializer());
        String key = keyOfGroup(group);
        await().atMost(Duration.ofSeconds(10)).until(reader::servesL1);
        assertThat(reader.get(key, k -> "old")).isEqualTo("old");
        writer.put(key, "new");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(reader.get(key, k -> "loaded")).isEqualTo("new"));
      }
    }
  }

  @Test
  void fewerSlotGroupsTieAPrefixToFewerPrimariesAndEveryNodeMustUseTheSameCount() {
    SlotGroups two = new SlotGroups(2);
    String seed = cluster.seeds().iterator().next().toString();
    try (Fleet fleet = new Fleet(2, builder -> builder.cluster(seed).slotGroups(2))) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      for (int group : two.all()) {
        String key = keyOfGroup(group, two);
        assertThat(caches.get(1).get(key, k -> "old")).isEqualTo("old");
        caches.get(0).put(key, "new");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(caches.get(1).get(key, k -> "loaded")).isEqualTo("new"));
      }
      assertThat(subscribedServers()).as("two groups live on at most two primaries")
          .hasSizeBetween(1, 2);

      assertThatThrownBy(() -> NearCacheClient.builder().cluster(seed).keyPrefix(Fleet.PREFIX)
          .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("uses 2 slot groups")
          .hasMessageContaining("built with 16");
    }
  }

  /** Moves {@code slot}, which holds no key, from {@code from} to {@code to}. */
  static void moveEmptySlot(int slot, RedisServer from, RedisServer to) {
    String target = cluster.nodeId(to);
    to.withJedis(j -> j.clusterSetSlotNode(slot, target));
    from.withJedis(j -> j.clusterSetSlotNode(slot, target));
    for (RedisServer node : cluster.primaries()) {
      if (node != from && node != to) {
        node.withJedis(j -> j.clusterSetSlotNode(slot, target));
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.primaryOf(slot) == to);
  }

  /** The servers the subscriber threads of this JVM's clients listen to. */
  static Set<String> subscribedServers() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("nearcache-subscriber-" + Fleet.PREFIX + "@"))
        .map(name -> name.substring(name.indexOf('@') + 1))
        .collect(Collectors.toSet());
  }

  /** A key of slot group {@code group} of the default groups. */
  static String keyOfGroup(int group) {
    return keyOfGroup(group, SlotGroups.defaults());
  }

  /** A key of slot group {@code group} of {@code groups}. */
  static String keyOfGroup(int group, SlotGroups groups) {
    for (int i = 0; ; i++) {
      if (groups.of("k" + i) == group) {
        return "k" + i;
      }
    }
  }
}
