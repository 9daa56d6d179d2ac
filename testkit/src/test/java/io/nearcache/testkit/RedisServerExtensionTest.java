package io.nearcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

@ExtendWith(RedisServerExtension.class)
class RedisServerExtensionTest {

  /** Every server handed out, checked after all tests: fresh per test, closed after it. */
  private static final List<RedisServer> SERVERS = new CopyOnWriteArrayList<>();

  private RedisServer fromBeforeEach;

  @BeforeEach
  void setUp(RedisServer redis) {
    fromBeforeEach = redis;
    SERVERS.add(redis);
  }

  @Test
  void injectsOneRunningServerPerTest(RedisServer redis, RedisServer again) {
    assertThat(redis).isSameAs(again).isSameAs(fromBeforeEach);
    assertThat(redis.isRunning()).isTrue();
    assertThat(redis.port()).isNotEqualTo(6379);
    assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");
  }

  @Test
  void startsEachTestWithAnEmptyServer(RedisServer redis) {
    assertThat(redis).isSameAs(fromBeforeEach);
    assertThat(redis.withJedis(Jedis::dbSize)).isZero();
    redis.withJedis(jedis -> jedis.set("left", "behind"));
  }

  @AfterEach
  void tearDown(RedisServer redis) {
    assertThat(redis).isSameAs(fromBeforeEach);
    assertThat(redis.isRunning()).isTrue();
  }

  @AfterAll
  static void serversWereFreshAndClosed() {
    assertThat(SERVERS).hasSize(2).doesNotHaveDuplicates();
    assertThat(SERVERS).noneMatch(RedisServer::isRunning);
  }
}
