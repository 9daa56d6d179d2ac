package io.nearcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;

class RedisServerAclTest {

  private static final String[] ALICE = {"on", ">alice-pw", "~app:*", "&app:*", "+@all"};

  @Test
  void aUserLimitedToAppKeysAndChannelsIsRefusedOthers() {
    try (RedisServer redis = RedisServer.start(
        ServerOptions.defaults().withUser("alice", ALICE));
        Jedis alice = redis.jedis("alice", "alice-pw")) {
      assertThat(alice.set("app:x", "1")).isEqualTo("OK");
      assertThat(alice.publish("app:events", "hello")).isZero();

      assertThatThrownBy(() -> alice.set("other:x", "1"))
          .isInstanceOf(JedisAccessControlException.class)
          .hasMessageStartingWith("NOPERM");
      assertThatThrownBy(() -> alice.publish("other", "hello"))
          .isInstanceOf(JedisAccessControlException.class)
          .hasMessageStartingWith("NOPERM");
      // Untouched by the options, the default user still gets in without a password.
      try (Jedis anonymous = new Jedis(new HostAndPort(redis.host(), redis.port()),
          redis.clientConfig().build())) {
        assertThat(anonymous.get("other:x")).isNull();
      }
    }
  }

  @Test
  void theDisabledDefaultUserIsRefusedWhileTheKitStillWorks() {
    ServerOptions options = ServerOptions.defaults()
        .withUser("alice", ALICE)
        .withDefaultUserDisabled();
    try (RedisServer redis = RedisServer.start(options)) {
      try (Jedis anonymous = new Jedis(new HostAndPort(redis.host(), redis.port()),
          redis.clientConfig().build())) {
        assertThatThrownBy(anonymous::ping)
            .isInstanceOf(JedisAccessControlException.class)
            .hasMessageStartingWith("NOAUTH");
      }
      assertThatThrownBy(() -> redis.jedis("alice", "wrong").close())
          .isInstanceOf(JedisAccessControlException.class)
          .hasMessageStartingWith("WRONGPASS");

      assertThat(redis.<String>withJedis(Jedis::aclWhoAmI)).isEqualTo(ServerOptions.ADMIN_USER);
      redis.withJedis(jedis -> jedis.set("other:x", "1"));
      assertThat(redis.configGet("maxmemory")).isEqualTo("0");
      redis.flushAll();
      assertThat(redis.killPubSubClients()).isZero();
      assertThat(redis.withJedis(Jedis::dbSize)).isZero();
      redis.restart();
      assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");
      redis.stop();
      assertThat(redis.log()).contains("User requested shutdown");
    }
  }

  @Test
  void theDefaultUserCanHaveAPassword() {
    ServerOptions options = ServerOptions.defaults().withDefaultUserPassword("default-pw");
    try (RedisServer redis = RedisServer.start(options);
        Jedis user = redis.jedis("default", "default-pw")) {
      assertThat(user.set("any", "1")).isEqualTo("OK");
      assertThat(user.publish("any", "1")).isZero();
    }
  }

  @Test
  void usersCanBeChangedAtRuntimeThroughTheKitsConnection() {
    try (RedisServer redis = RedisServer.start(
        ServerOptions.defaults().withDefaultUserDisabled())) {
      redis.withJedis(jedis -> jedis.aclSetUser("bob", "on", ">bob-pw", "~bob:*", "+@all"));

      try (Jedis bob = redis.jedis("bob", "bob-pw")) {
        assertThat(bob.set("bob:1", "1")).isEqualTo("OK");
        redis.withJedis(jedis -> jedis.aclSetUser("bob", "-set"));
        assertThatThrownBy(() -> bob.set("bob:2", "1"))
            .isInstanceOf(JedisAccessControlException.class)
            .hasMessageStartingWith("NOPERM");
      }
    }
  }

  @Test
  void theUriCarriesPercentEncodedCredentials() {
    String password = "p@ss:w rd/%";
    ServerOptions options = ServerOptions.defaults()
        .withUser("alice", "on", ">" + password, "~app:*", "+@all")
        .withDefaultUserDisabled();
    try (RedisServer redis = RedisServer.start(options)) {
      String uri = redis.uri("alice", password);

      assertThat(uri).isEqualTo("redis://alice:p%40ss%3Aw%20rd%2F%25@127.0.0.1:"
          + redis.port());
      try (Jedis alice = new Jedis(URI.create(uri), redis.clientConfig().build())) {
        assertThat(alice.aclWhoAmI()).isEqualTo("alice");
      }
    }
  }

  @Test
  void aUserThatTheCommandLineCannotCarryIsRefused() {
    assertThatThrownBy(() -> ServerOptions.defaults().withUser("alice", "on", ">pé"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("printable ASCII");
  }

  @Test
  void tlsAndAclTogether() {
    try (TestCertificates certs = TestCertificates.create();
        RedisServer redis = RedisServer.start(ServerOptions.defaults()
            .withTls(certs)
            .withUser("alice", ALICE)
            .withDefaultUserDisabled())) {
      assertThat(redis.uri("alice", "alice-pw"))
          .isEqualTo("rediss://alice:alice-pw@127.0.0.1:" + redis.port());
      try (Jedis alice = new Jedis(URI.create(redis.uri("alice", "alice-pw")),
          redis.clientConfig().build())) {
        assertThat(alice.set("app:x", "1")).isEqualTo("OK");
        assertThatThrownBy(() -> alice.set("other:x", "1"))
            .isInstanceOf(JedisAccessControlException.class);
      }
      assertThat(redis.<String>withJedis(jedis -> jedis.get("app:x"))).isEqualTo("1");
    }
  }

  @Test
  void aReplicaStartedWithTheSameOptionsAuthenticatesToItsMasterOverTls() {
    try (TestCertificates certs = TestCertificates.create()) {
      ServerOptions options = ServerOptions.defaults()
          .withTls(certs)
          .withDefaultUserDisabled()
          .withExtraConfig("--tls-replication", "yes");
      try (RedisServer master = RedisServer.start(options);
          RedisServer replica = RedisServer.start(options)) {
        master.withJedis(jedis -> jedis.set("k", "v"));

        replica.withJedis(jedis -> jedis.replicaof(master.host(), master.port()));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(replica.<String>withJedis(jedis -> jedis.info("replication")))
                .contains("master_link_status:up"));
        assertThat(replica.<String>withJedis(jedis -> jedis.get("k"))).isEqualTo("v");
      }
    }
  }

  @Test
  void aBadRuleFailsTheStartQuotingRedis() {
    assertThatThrownBy(() -> RedisServer.start(
        ServerOptions.defaults().withUser("alice", "on", "no-such-rule")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited during startup")
        .hasMessageContaining("no-such-rule");
  }

  @Test
  void theKitsOwnUserNameIsReservedAndNamesMustNotBeBlank() {
    assertThatThrownBy(() -> ServerOptions.defaults().withUser(ServerOptions.ADMIN_USER, "on"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ServerOptions.ADMIN_USER);
    assertThatThrownBy(() -> ServerOptions.defaults().withUser(" ", "on"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
  }

  @Test
  void optionsAreImmutableAndKeepTheAdminPassword() {
    ServerOptions base = ServerOptions.defaults();
    ServerOptions withAlice = base.withUser("alice", ALICE).withExtraConfig("--maxmemory", "1mb");

    assertThat(base.acl()).isFalse();
    assertThat(base.extraConfig()).isEmpty();
    assertThat(withAlice.acl()).isTrue();
    assertThat(withAlice.extraConfig()).containsExactly("--maxmemory", "1mb");
    assertThat(withAlice.adminPassword()).isEqualTo(base.adminPassword());
    assertThat(ServerOptions.defaults().adminPassword()).isNotEqualTo(base.adminPassword());
    assertThat(withAlice.toString()).contains("alice").doesNotContain(base.adminPassword());
  }
}
