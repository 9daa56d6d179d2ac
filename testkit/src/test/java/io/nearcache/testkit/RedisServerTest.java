package io.nearcache.testkit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisConnectionException;

class RedisServerTest {

  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

  @Test
  void startsAnswersAndStops() {
    try (RedisServer redis = RedisServer.start()) {
      assertThat(redis.isRunning()).isTrue();
      assertThat(redis.host()).isEqualTo("127.0.0.1");
      assertThat(redis.port()).isPositive().isNotEqualTo(6379);
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");
      assertThat(redis.configGet("save")).isEmpty();
      assertThat(redis.configGet("appendonly")).isEqualTo("no");

      redis.stop();

      assertThat(redis.isRunning()).isFalse();
      assertThat(ProcessHandle.of(redis.pid())).isEmpty();
      redis.stop();
    }
  }

  @Test
  void closeStopsTheProcessAndIsIdempotent() {
    RedisServer redis = RedisServer.start();
    long pid = redis.pid();

    redis.close();
    redis.close();

    assertThat(redis.isRunning()).isFalse();
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThatThrownBy(redis::restart)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void restartsOnTheSamePortAfterKillWithNoData() {
    try (RedisServer redis = RedisServer.start()) {
      int port = redis.port();
      long firstPid = redis.pid();
      redis.withJedis(jedis -> jedis.set(KEY, VALUE));

      redis.kill();

      assertThat(redis.isRunning()).isFalse();
      assertThatThrownBy(() -> redis.<String>withJedis(Jedis::ping))
          .isInstanceOf(JedisConnectionException.class);

      redis.restart();

      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.pid()).isNotEqualTo(firstPid);
      assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");
      assertThat(redis.<Boolean>withJedis(jedis -> jedis.exists(KEY))).isFalse();
      assertThat(redis.withJedis(Jedis::dbSize)).isZero();
    }
  }

  @Test
  void restartStopsARunningServerFirst() {
    try (RedisServer redis = RedisServer.start("--maxmemory", "10mb")) {
      int port = redis.port();
      redis.withJedis(jedis -> jedis.set(KEY, VALUE));

      redis.restart();

      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.<byte[]>withJedis(jedis -> jedis.get(KEY))).isNull();
      assertThat(redis.configGet("maxmemory")).isEqualTo(Long.toString(10 * 1024 * 1024));
    }
  }

  @Test
  void pauseMakesClientsTimeOutAndResumeAnswers() {
    try (RedisServer redis = RedisServer.start()) {
      redis.pause();
      try {
        assertThat(redis.isRunning()).isTrue();
        assertThatThrownBy(() -> redis.jedis(Duration.ofMillis(300)).close())
            .isInstanceOf(JedisConnectionException.class)
            .hasRootCauseInstanceOf(SocketTimeoutException.class);
      } finally {
        redis.resume();
      }

      try (Jedis jedis = redis.jedis(Duration.ofMillis(300))) {
        assertThat(jedis.ping()).isEqualTo("PONG");
      }
    }
  }

  @Test
  void stopKillsAPausedServer() {
    try (RedisServer redis = RedisServer.start()) {
      redis.pause();

      redis.stop();

      assertThat(redis.isRunning()).isFalse();
      redis.restart();
      assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");
    }
  }

  @Test
  void pauseRequiresARunningServer() {
    try (RedisServer redis = RedisServer.start()) {
      redis.stop();

      assertThatThrownBy(redis::pause)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not running");
    }
  }

  @Test
  void killPubSubClientsDisconnectsSubscribersOnly() throws Exception {
    try (RedisServer redis = RedisServer.start(); Jedis normal = redis.jedis()) {
      assertThat(normal.ping()).isEqualTo("PONG");
      CountDownLatch subscribed = new CountDownLatch(1);
      CompletableFuture<Void> subscription = new CompletableFuture<>();
      Thread subscriber = new Thread(() -> {
        try (Jedis jedis = redis.jedis()) {
          jedis.subscribe(new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int subscribedChannels) {
              subscribed.countDown();
            }
          }, "invalidations");
          subscription.complete(null);
        } catch (RuntimeException e) {
          subscription.completeExceptionally(e);
        }
      }, "test-subscriber");
      subscriber.start();
      assertThat(subscribed.await(5, SECONDS)).isTrue();

      assertThat(redis.killPubSubClients()).isEqualTo(1);

      assertThat(subscription).failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(JedisConnectionException.class);
      assertThat(normal.ping()).isEqualTo("PONG");
      assertThat(redis.killPubSubClients()).isZero();
    }
  }

  @Test
  void flushAllDeletesEveryKey() {
    try (RedisServer redis = RedisServer.start()) {
      redis.withJedis(jedis -> jedis.set(KEY, VALUE));
      redis.withJedis(jedis -> jedis.select(1) + jedis.set(KEY, VALUE));

      redis.flushAll();

      assertThat(redis.withJedis(Jedis::dbSize)).isZero();
      assertThat(redis.<String>withJedis(jedis -> jedis.select(1) + jedis.dbSize())).isEqualTo("OK0");
    }
  }

  @Test
  void appliesExtraConfigAndConfigSet() {
    try (RedisServer redis = RedisServer.start(
        "--client-output-buffer-limit", "pubsub", "64kb", "32kb", "1",
        "--maxmemory-policy", "allkeys-lru")) {
      assertThat(redis.configGet("client-output-buffer-limit")).contains("pubsub 65536 32768 1");
      assertThat(redis.configGet("maxmemory-policy")).isEqualTo("allkeys-lru");

      redis.configSet("maxmemory-policy", "noeviction");

      assertThat(redis.configGet("maxmemory-policy")).isEqualTo("noeviction");
      assertThat(redis.configGet("no-such-parameter")).isNull();
    }
  }

  @Test
  void startFailureQuotesTheServerOutput() {
    assertThatThrownBy(() -> RedisServer.start("--no-such-directive", "1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited during startup")
        .hasMessageContaining("no-such-directive");
  }

  @Test
  void serversAreIndependent() {
    try (RedisServer first = RedisServer.start(); RedisServer second = RedisServer.start()) {
      assertThat(first.port()).isNotEqualTo(second.port());
      first.withJedis(jedis -> jedis.set(KEY, VALUE));

      assertThat(second.<Boolean>withJedis(jedis -> jedis.exists(KEY))).isFalse();
    }
  }

  @Test
  void versionIsTheRunningServersMajorMinorPatchAtLeast62() {
    try (RedisServer redis = RedisServer.start()) {
      String version = redis.version();

      assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
      String[] parts = version.split("\\.");
      int major = Integer.parseInt(parts[0]);
      int minor = Integer.parseInt(parts[1]);
      assertThat(major > 6 || (major == 6 && minor >= 2))
          .as("Redis %s is at least 6.2", version).isTrue();
      assertThat(redis.<String>withJedis(jedis -> jedis.info("server")))
          .contains("redis_version:" + version + "\r\n");

      redis.stop();
      assertThat(redis.version()).isEqualTo(version);
    }
  }

  @Test
  void aSettingNamingAMissingFileFailsNamingTheSettingAndThePath(@TempDir Path dir) {
    Path missing = dir.resolve("no-redis-server");

    assertThatThrownBy(() -> RedisServer.selectBinary(null, missing.toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NEARCACHE_REDIS_SERVER")
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> RedisServer.selectBinary(missing.toString(), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nearcache.redis.server")
        .hasMessageContaining(missing.toString());
  }

  @Test
  void aSettingNamingANonExecutableFileOrADirectoryFails(@TempDir Path dir) throws IOException {
    Path plain = Files.createFile(dir.resolve("redis-server"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));

    assertThatThrownBy(() -> RedisServer.selectBinary(null, plain.toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NEARCACHE_REDIS_SERVER")
        .hasMessageContaining(plain.toString())
        .hasMessageContaining("not an executable file");
    assertThatThrownBy(() -> RedisServer.selectBinary(null, dir.toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("not an executable file");
  }

  @Test
  void thePropertyWinsOverTheVariableAndBlankMeansUnset(@TempDir Path dir) throws IOException {
    Path executable = Files.createFile(dir.resolve("redis-server"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    String missing = dir.resolve("missing").toString();

    assertThat(RedisServer.selectBinary(executable.toString(), missing)).isEqualTo(executable);
    assertThat(RedisServer.selectBinary(" ", executable.toString())).isEqualTo(executable);
    assertThatThrownBy(() -> RedisServer.selectBinary(missing, executable.toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nearcache.redis.server")
        .hasMessageContaining(missing);
  }

  @Test
  void embeddedSelectsTheBundledRedis62() throws Exception {
    Path bundled = RedisServer.selectBinary(null, "embedded");

    assertThat(Files.isExecutable(bundled)).isTrue();
    Process process = new ProcessBuilder(bundled.toString(), "--version")
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, SECONDS)).isTrue();
    assertThat(output).contains("v=6.2.");
  }
}
