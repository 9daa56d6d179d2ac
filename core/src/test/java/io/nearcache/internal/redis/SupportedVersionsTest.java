package io.nearcache.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/** Which Redis versions {@code NearCacheClient.Builder.build()} accepts. */
@ExtendWith(RedisServerExtension.class)
class SupportedVersionsTest {

  @Test
  void olderThanSixPointTwoIsRefusedNamingTheVersionFoundAndTheMinimum() {
    assertThatThrownBy(() -> SupportedVersions.require("6.0.20", "10.0.0.7:6379"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Redis 6.0.20 at 10.0.0.7:6379 is not supported: nearcache needs Redis 6.2.0"
            + " or later");
    assertThatThrownBy(() -> SupportedVersions.require("5.0.14", "r")).hasMessageContaining("5.0");
    assertThatThrownBy(() -> SupportedVersions.require("", "r"))
        .as("a version that cannot be read").isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SupportedVersions.require("six", "r"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sixPointTwoAndLaterAreAccepted() {
    for (String version : new String[] {"6.2.0", "6.2.11", "7.0.15", "7.4.2", "8.0.2", "10.1"}) {
      assertThatCode(() -> SupportedVersions.require(version, "r")).as(version)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void theServerThisSuiteRunsOnReportsASupportedVersion(RedisServer redis) {
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port());
         StandaloneRedis standalone = StandaloneRedis.of(jedis, SlotGroups.defaults())) {
      String version = standalone.serverVersion();
      System.out.printf("suite runs on Redis %s%n", version);
      assertThat(version).isEqualTo(redis.version());
      assertThatCode(() -> SupportedVersions.require(version, redis.uri()))
          .doesNotThrowAnyException();
    }
  }
}
