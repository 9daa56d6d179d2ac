package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A write is one command sent to Redis, and that command announces it: what {@code MONITOR} sees
 * from the clients between two markers is one {@code EVALSHA} per write, whose script ran the
 * {@code PUBLISH} itself (Redis shows a script's own commands as coming from {@code lua}).
 */
@ExtendWith(RedisServerExtension.class)
class WriteRoundTripTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");

  @Test
  void putInvalidateAndInvalidateAllAreOneScriptEachThatPublishes(RedisServer redis)
      throws Exception {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      DefaultNearCache<String, String> writer = caches.get(0);
      DefaultNearCache<String, String> peer = caches.get(1);
      // Redis caches the scripts and the writer its generation: later writes send only EVALSHA.
      writer.put("warm", "v");
      writer.invalidate("warm");
      writer.invalidateAll();
      peer.get("a", k -> "v1");

      Monitored seen = Monitored.during(redis, () -> {
        writer.put("a", "v2");
        writer.invalidate("b");
        writer.invalidateAll();
      });
      List<String> fromClients = seen.fromClients();
      List<String> fromScripts = seen.fromScripts();
      System.out.printf("3 writes: %d commands from clients, %d run by their scripts%n",
          fromClients.size(), fromScripts.size());
      assertThat(fromClients).as("one command per write").hasSize(3)
          .allMatch(c -> Monitored.upper(c).contains("\"EVALSHA\""));
      assertThat(fromScripts.stream().filter(c -> Monitored.upper(c).contains("\"PUBLISH\"")))
          .as("each script published its own message").hasSize(3);
      await().atMost(Duration.ofSeconds(2)).until(() -> peer.peekLocal("a") == null);
    }
  }

  /**
   * A miss of both tiers is a plain {@code GET}, the lease and the lease-checked write while the
   * cache's lookups mostly hit (a new cache counts as such); once two lookups in a row missed, it
   * is two round trips: the lease, taken in the value key with one {@code SET NX PX GET} (a
   * script on Redis 6.2, which lacks it), then the write, a script.
   */
  @Test
  void aMissOfBothTiersIsTwoRoundTripsOnceLookupsMostlyMiss(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 1)) {
      fleet.caches("warm-up", SPEC).get(0).get("k", k -> "v"); // Redis caches the scripts
      DefaultNearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      cache.getIfPresent("absent"); // the cache reads its generation, once

      Monitored first = Monitored.during(redis, () -> cache.get("miss-1", k -> "v"));
      cache.get("miss-2", k -> "v");
      Monitored third = Monitored.during(redis, () -> cache.get("miss-3", k -> "v"));
      System.out.printf("a first miss: %s%na third miss: %s%n", first.fromClients(),
          third.fromClients());
      assertThat(first.fromClients()).hasSize(3);
      assertThat(Monitored.upper(first.fromClients().get(0))).contains("\"GET\"");
      List<String> commands = third.fromClients().stream().map(Monitored::upper).toList();
      assertThat(commands).hasSize(2);
      if (redis.version().startsWith("6.")) {
        assertThat(commands.get(0)).contains("\"EVALSHA\"", ":V:MISS-3\"");
      } else {
        assertThat(commands.get(0))
            .contains("\"SET\"", ":V:MISS-3\"", "\"NX\"", "\"PX\"", "\"GET\"");
      }
      assertThat(commands.get(1)).contains("\"EVALSHA\"", ":V:MISS-3\"");
      assertThat(String.join(" ", commands)).as("no lease key").doesNotContain(":L:MISS-3");
      assertThat(cache.get("miss-3", k -> "not loaded")).isEqualTo("v");
    }
  }

  /**
   * A getAll of keys in neither tier, on one server, costs the round trips of one key's miss: one
   * lease script for all its keys, then one lease-checked write of them all; past {@code
   * MAX_BATCH} (100) keys a step is split into scripts of at most 100 keys, sent in one pipeline.
   */
  @Test
  void aGetAllOfMissingKeysIsOneScriptPerStepOnOneServer(RedisServer redis) throws Exception {
    try (Fleet fleet = new Fleet(redis, 1)) {
      fleet.caches("warm-up", SPEC).get(0).get("k", k -> "v"); // Redis caches the scripts
      DefaultNearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      Function<Set<String>, Map<String, String>> loader =
          keys -> keys.stream().collect(Collectors.toMap(k -> k, k -> "v-" + k));
      cache.getAll(keys("warm", 50), loader); // the lookups now mostly miss

      Monitored fifty = Monitored.during(redis, () -> cache.getAll(keys("a", 50), loader));
      Monitored many = Monitored.during(redis, () -> cache.getAll(keys("b", 150), loader));
      System.out.printf("getAll of 50 missing keys: %d commands; of 150: %d%n",
          fifty.fromClients().size(), many.fromClients().size());
      assertThat(fifty.fromClients()).hasSize(2)
          .allMatch(c -> Monitored.upper(c).contains("\"EVALSHA\""));
      assertThat(fifty.fromScripts().stream().filter(c -> Monitored.upper(c).contains("\"SET\"")))
          .as("50 leases taken, 50 values written").hasSize(100);
      assertThat(fifty.fromScripts()).as("the values replace the leases: no lease key, no DEL")
          .noneMatch(c -> Monitored.upper(c).contains("\"DEL\"") || Monitored.upper(c).contains(":L:"))
          .hasSize(200);
      assertThat(many.fromClients()).as("two scripts of at most 100 keys per step").hasSize(4)
          .allMatch(c -> Monitored.upper(c).contains("\"EVALSHA\""));
      assertThat(cache.getAll(keys("a", 50), loader)).hasSize(50)
          .allSatisfy((k, v) -> assertThat(v).isEqualTo("v-" + k));
      assertThat(cache.stats().redisErrors()).isZero();
    }
  }

  private static List<String> keys(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
  }
}
