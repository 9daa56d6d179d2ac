package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** How a client reaches Redis, and what it owns. */
class NearCacheClientTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");

  @Test
  void aUriWithUserPasswordAndDatabaseIsHonoured() {
    try (RedisServer redis = RedisServer.start(
        "--user", "alice", "on", ">s3cret", "~*", "&*", "+@all")) {
      String uri = "redis://alice:s3cret@" + redis.host() + ":" + redis.port() + "/2";
      try (NearCacheClient writer = NearCacheClient.builder().redisUri(uri).keyPrefix("auth")
               .build();
           NearCacheClient reader = NearCacheClient.builder().redisUri(uri).keyPrefix("auth")
               .build()) {
        NearCache<String, String> written = writer.cache("c", SPEC, new StringSerializer());
        NearCache<String, String> read = reader.cache("c", SPEC, new StringSerializer());
        read.get("k", k -> "v1");
        written.put("k", "v2");
        await().until(() -> "v2".equals(read.get("k", k -> "stale")));

        assertThat(read.stats().redisErrors()).isZero();
        String clients = redis.withJedis(j -> j.clientList());
        assertThat(clients).contains("user=alice").contains("db=2").contains("sub=1");
        assertThat(redis.<Long>withJedis(j -> j.dbSize())).as("nothing in db 0").isZero();
      }
    }
  }

  @Test
  void aCallersJedisStaysOpenAfterClose() {
    try (RedisServer redis = RedisServer.start();
         RedisClient jedis = RedisClient.create(redis.host(), redis.port())) {
      try (NearCacheClient client = NearCacheClient.builder().jedis(jedis).keyPrefix("mine")
          .instanceId("borrowed").build()) {
        client.cache("c", SPEC, new StringSerializer()).put("k", "v");
        assertThat(client.instanceId()).isEqualTo("borrowed");
        assertThat(client.keyPrefix()).isEqualTo("mine");
      }
      assertThat(jedis.ping()).as("the caller's client still works").isEqualTo("PONG");
      assertThat(jedis.keys("*:v:*")).hasSize(1);
    }
  }

  /**
   * Every answered liveness probe reaches the listeners, twice a second per subscription; one
   * that throws is logged and the others still hear.
   */
  @Test
  void probeLagsReachTheListeners() {
    try (RedisServer redis = RedisServer.start();
         NearCacheClient client = NearCacheClient.builder().redisUri(redis.uri())
             .keyPrefix("lag").build()) {
      List<Duration> lags = new CopyOnWriteArrayList<>();
      client.onProbeLag(lag -> {
        throw new IllegalStateException("a failing listener");
      });
      client.onProbeLag(lags::add);
      await().atMost(Duration.ofSeconds(5)).until(() -> lags.size() >= 3);
      assertThat(lags).allSatisfy(lag -> assertThat(lag).isPositive()
          .isLessThan(Duration.ofSeconds(2)));
    }
  }
}
