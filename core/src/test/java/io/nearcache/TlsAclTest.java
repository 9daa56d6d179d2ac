package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.redis.Permissions;
import io.nearcache.testkit.RedisCluster;
import io.nearcache.testkit.RedisSentinel;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.ServerOptions;
import io.nearcache.testkit.TestCertificates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLHandshakeException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * nearcache over TLS with an ACL user granted exactly {@link
 * io.nearcache.internal.redis.Permissions#rule} and the default user off, on a standalone server,
 * on a Cluster (TLS on the cluster bus and replication too) and behind Sentinels (TLS everywhere,
 * the Sentinels with a user of their own): two clients load once, hit, and see each other's puts
 * and invalidations, behind Sentinel across a failover too; a plaintext client gets nothing from
 * the TLS port; a certificate naming another host is refused unless hostname verification is
 * off; and a user lacking one permission, on Redis or on the Sentinels, makes {@code build()}
 * fail naming what was refused.
 */
class TlsAclTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final String PASSWORD = "s3cret-app";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private static TestCertificates certs;
  private static ServerOptions options;
  private static final String SENTINEL_PASSWORD = "s3cret-watcher";

  private static RedisServer server;
  private static RedisCluster cluster;
  private static RedisSentinel sentinel;

  @BeforeAll
  static void start() {
    certs = TestCertificates.create();
    options = ServerOptions.defaults().withTls(certs).withDefaultUserDisabled();
    server = RedisServer.start(options);
    cluster = RedisCluster.start(
        options.withExtraConfig("--tls-cluster", "yes", "--tls-replication", "yes"));
    grantUsers(server, false);
    boolean sharded = !cluster.nodes().get(0).version().startsWith("6.");
    cluster.nodes().forEach(node -> grantUsers(node, sharded));
    sentinel = RedisSentinel.start(options);
    // ACLs are not replicated: every server a failover may promote needs the users.
    sentinel.servers().forEach(node -> grantUsers(node, false));
    List<String> watcher = List.of(Permissions.sentinelRule().split(" "));
    sentinel.onEachSentinel(j -> {
      j.aclSetUser("watcher", line(SENTINEL_PASSWORD, watcher));
      j.aclSetUser("deaf", line(SENTINEL_PASSWORD, without(watcher, "&+switch-master")));
    });
  }

  @AfterAll
  static void stop() {
    if (sentinel != null) {
      sentinel.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (server != null) {
      server.close();
    }
    certs.close();
  }

  /**
   * "app" with exactly the rule, and users each lacking one permission, on {@code node}.
   *
   * @param sharded whether the node serves sharded pub/sub (a cluster node of 7.0 or later)
   */
  static void grantUsers(RedisServer node, boolean sharded) {
    List<String> rule = List.of(Permissions.rule(Fleet.PREFIX, sharded).split(" "));
    grant(node, "app", rule);
    grant(node, "noxadd", without(rule, "+xadd"));
    grant(node, "nochannel", without(rule, "&test:*"));
    grant(node, "noslots", without(rule, "+cluster|slots"));
  }

  /** ACL SETUSER {@code user} with {@code rule}, as the kit's admin: Redis must accept it whole. */
  private static void grant(RedisServer node, String user, List<String> rule) {
    node.withJedis(j -> j.aclSetUser(user, line(PASSWORD, rule)));
  }

  /** An ACL SETUSER line: a user from scratch, on, with {@code password} and {@code rule}. */
  private static String[] line(String password, List<String> rule) {
    List<String> line = new ArrayList<>(List.of("reset", "on", ">" + password));
    line.addAll(rule);
    return line.toArray(new String[0]);
  }

  private static List<String> without(List<String> rule, String word) {
    assertThat(rule).contains(word);
    List<String> less = new ArrayList<>(rule);
    less.remove(word);
    return less;
  }

  private static RedisTls tls() {
    return RedisTls.trustStore(certs.trustStore(), certs.storePassword());
  }

  private static String seed() {
    return cluster.seeds().iterator().next().toString();
  }

  private static UnaryOperator<NearCacheClient.Builder> standalone(String user) {
    return b -> b.redisUri(server.uri()).tls(tls()).user(user, PASSWORD);
  }

  private static UnaryOperator<NearCacheClient.Builder> clustered(String user) {
    return b -> b.cluster(seed()).tls(tls()).user(user, PASSWORD);
  }

  /** Through the Sentinels over TLS, as {@code sentinelUser} there and "app" on the servers. */
  private static UnaryOperator<NearCacheClient.Builder> sentineled(String sentinelUser,
      String sentinelPassword) {
    String[] addresses = sentinel.sentinels().stream().map(HostAndPort::toString)
        .toArray(String[]::new);
    return b -> b.sentinel(sentinel.masterName(), addresses).tls(tls()).user("app", PASSWORD)
        .sentinelUser(sentinelUser, sentinelPassword);
  }

  @Test
  void standaloneOverTlsWithExactlyTheRule() {
    assertThat(server.uri()).startsWith("rediss://");
    demo("standalone " + server.version(), standalone("app"));
  }

  @Test
  void clusterOverTlsWithExactlyTheRule() {
    demo("cluster " + cluster.nodes().get(0).version(), clustered("app"));
  }

  /**
   * Sentinels over TLS with a user of their own granted exactly {@link
   * Permissions#sentinelRule()}, default user off: the demo's steps, then a SENTINEL FAILOVER
   * heard over that connection, after which changes reach the other client through the new
   * primary.
   */
  @Test
  void sentinelOverTlsWithItsOwnUserFollowsAFailover() {
    String version = sentinel.primary().version();
    demo("sentinel " + version, sentineled("watcher", SENTINEL_PASSWORD));
    try (Fleet fleet = new Fleet(2, sentineled("watcher", SENTINEL_PASSWORD))) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      String key = "failover-" + System.nanoTime();
      assertThat(caches.get(0).get(key, k -> "v1")).isEqualTo("v1");
      assertThat(caches.get(1).get(key, k -> "never")).isEqualTo("v1");
      long started = System.nanoTime();
      RedisServer promoted = sentinel.failover();
      // Both clients heard +switch-master once both subscribers are on the new primary.
      await().atMost(WAIT).untilAsserted(() -> assertThat(promoted.<String>withJedis(
          j -> j.clientList()).lines().filter(c -> c.contains(" sub=1 ")
              && c.contains(" user=app "))).as("subscribers of user app on " + promoted)
          .hasSize(2));
      long followed = System.nanoTime();
      // Only the new primary can tell client 1: its subscriber listens nowhere else.
      caches.get(0).put(key, "v2");
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(caches.get(1).get(key, k -> "loaded")).isEqualTo("v2"));
      System.out.printf("sentinel %s TLS+ACL: both clients followed SENTINEL FAILOVER in %d ms%n",
          version, millis(followed - started));
    }
  }

  /**
   * A caller's own {@link RedisSentinelClient}, over TLS with its users, given to {@code
   * jedis(...)}: the demo's steps on two clients sharing it, which stays open after they close.
   */
  @Test
  void aCallersSentinelClientIsUsedAndLeftOpen() {
    try (RedisSentinelClient jedis = RedisSentinelClient.builder()
        .masterName(sentinel.masterName())
        .sentinels(sentinel.sentinels())
        .clientConfig(DefaultJedisClientConfig.builder().sslOptions(tls().sslOptions())
            .user("app").password(PASSWORD).build())
        .sentinelClientConfig(DefaultJedisClientConfig.builder().sslOptions(tls().sslOptions())
            .user("watcher").password(SENTINEL_PASSWORD).build())
        .build()) {
      demo("sentinel, the caller's RedisSentinelClient", b -> b.jedis(jedis));
      assertThat(jedis.ping()).as("the caller's client outlives the library's").isEqualTo("PONG");
    }
  }

  /** Jedis' listener would retry a refused SUBSCRIBE forever; build() refuses to start. */
  @Test
  void aSentinelUserWithoutTheSwitchMasterChannelFailsToBuildNamingIt() {
    IllegalStateException e = Assertions.catchThrowableOfType(
        () -> new Fleet(1, sentineled("deaf", SENTINEL_PASSWORD)).close(),
        IllegalStateException.class);
    assertThat(e).hasMessageStartingWith("the Sentinel user lacks a permission nearcache needs")
        .hasMessageContaining("+switch-master")
        .hasMessageContaining("grant on every Sentinel: ACL SETUSER <user> "
            + Permissions.sentinelRule());
    // Jedis' listeners, refused too, sleep 5 s between attempts and see the close only then.
    await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet()
        .stream().noneMatch(t -> t.getName().contains("SentinelListener") && t.isAlive()));
  }

  @Test
  void aWrongSentinelPasswordFailsToBuildNamingTheSentinels() {
    IllegalStateException e = Assertions.catchThrowableOfType(
        () -> new Fleet(1, sentineled("watcher", "wrong")).close(),
        IllegalStateException.class);
    assertThat(e).hasMessageStartingWith("cannot reach sentinels ")
        .hasMessageContaining("The sentinels, asked again: ")
        .hasMessageContaining(" answers WRONGPASS");
  }

  /** The demo's steps on two clients: load once, hit, a put and an invalidate reach the other. */
  private static void demo(String deployment, UnaryOperator<NearCacheClient.Builder> source) {
    long started = System.nanoTime();
    try (Fleet fleet = new Fleet(2, source)) {
      long built = System.nanoTime();
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", SPEC);
      AtomicInteger loads = new AtomicInteger();
      String key = "tls-" + System.nanoTime();

      assertThat(caches.get(0).get(key, k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
      assertThat(caches.get(0).get(key, k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
      assertThat(caches.get(1).get(key, k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
      assertThat(loads).as("one load across both clients").hasValue(1);
      assertThat(caches.get(0).stats().l1Hits()).as("second get on client 0 hits L1")
          .isEqualTo(1);
      assertThat(caches.get(1).stats().l2Hits()).as("client 1 reads Redis over TLS")
          .isEqualTo(1);

      long put = System.nanoTime();
      caches.get(0).put(key, "v2");
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(caches.get(1).get(key, k -> "loaded")).isEqualTo("v2"));
      long putSeen = System.nanoTime();

      caches.get(1).invalidate(key);
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(caches.get(0).get(key, k -> "v3")).isEqualTo("v3"));

      assertThat(fleet.client(0).isDegraded()).isFalse();
      assertThat(fleet.client(1).isDegraded()).isFalse();
      assertThat(caches.get(0).stats().redisErrors() + caches.get(1).stats().redisErrors())
          .isZero();
      System.out.printf("%s TLS+ACL: 2 clients built in %d ms, put seen by the other in %d ms%n",
          deployment, millis(built - started), millis(putSeen - put));
    }
  }

  /**
   * A standalone server that cannot be reached does not fail {@code build()}: the client logs,
   * retries in the background and serves from the loaders. Over plaintext on the TLS port, that
   * is what must happen: Redis never sees a command, the breaker opens, and no value is stored.
   */
  @Test
  void aPlaintextClientOnTheTlsPortGetsNothingFromRedis() {
    String plain = "redis://127.0.0.1:" + server.port();
    assertThatThrownBy(() -> new Jedis(new HostAndPort("127.0.0.1", server.port()),
        DefaultJedisClientConfig.builder().user("app").password(PASSWORD).timeoutMillis(1000)
            .build()).close())
        .as("a plaintext AUTH on the TLS port: Redis drops the connection")
        .isInstanceOf(JedisConnectionException.class);
    String key = "plaintext-" + System.nanoTime();
    try (NearCacheClient client = NearCacheClient.builder().redisUri(plain)
        .user("app", PASSWORD).keyPrefix(Fleet.PREFIX).build()) {
      NearCache<String, String> cache = client.cache("product", SPEC, new StringSerializer());
      AtomicInteger loads = new AtomicInteger();
      await().atMost(WAIT).untilAsserted(() -> {
        cache.get(key, k -> "v" + loads.incrementAndGet());
        cache.invalidate(key);
        assertThat(client.isDegraded()).isTrue();
      });
      assertThat(loads.get()).as("every get went to the loader").isGreaterThan(1);
    }
    assertThat(server.<Integer>withJedis(j -> j.keys("*" + key + "*").size())).isZero();
  }

  @Test
  void aPlaintextClientOfATlsClusterFailsToBuild() {
    assertThatThrownBy(() -> NearCacheClient.builder().cluster(seed()).user("app", PASSWORD)
        .keyPrefix(Fleet.PREFIX).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot reach cluster [" + seed() + "]");
  }

  /**
   * A certificate signed by the trusted CA but naming only {@code other.invalid}: with the
   * default settings the TLS handshake fails on {@code 127.0.0.1}, so the client never reaches
   * Redis (degraded, loaders serve); without hostname verification it works.
   */
  @Test
  void aCertificateForAnotherHostIsRefusedUnlessHostnameVerificationIsOff() {
    try (RedisServer other = RedisServer.start(options.withTls(certs,
        certs.serverForOtherHost()))) {
      grantUsers(other, false);
      HostAndPort address = new HostAndPort("127.0.0.1", other.port());
      assertThatThrownBy(() -> new Jedis(address, DefaultJedisClientConfig.builder()
          .sslOptions(tls().sslOptions()).user("app").password(PASSWORD).build()).close())
          .as("the library's default TLS settings, as Jedis applies them")
          .isInstanceOf(JedisConnectionException.class)
          .cause().isInstanceOf(SSLHandshakeException.class)
          .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
      try (NearCacheClient verifying = NearCacheClient.builder().redisUri(other.uri())
          .tls(tls()).user("app", PASSWORD).keyPrefix(Fleet.PREFIX).build()) {
        NearCache<String, String> cache = verifying.cache("product", SPEC,
            new StringSerializer());
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(cache.get("k", k -> "loaded")).isEqualTo("loaded");
          assertThat(verifying.isDegraded()).isTrue();
        });
      }
      try (Fleet fleet = new Fleet(2, b -> b.redisUri(other.uri())
          .tls(tls().withoutHostnameVerification()).user("app", PASSWORD))) {
        List<DefaultNearCache<String, String>> caches =
            fleet.caches("product", SPEC);
        assertThat(caches.get(0).get("k", k -> "v1")).isEqualTo("v1");
        assertThat(caches.get(1).get("k", k -> "never")).isEqualTo("v1");
        caches.get(0).put("k", "v2");
        await().atMost(WAIT).untilAsserted(() ->
            assertThat(caches.get(1).get("k", k -> "loaded")).isEqualTo("v2"));
        assertThat(fleet.client(1).isDegraded()).isFalse();
      }
    }
  }

  /**
   * Redis (6.2 and 7.0) refuses XADD inside the probe script naming only the script's line; the
   * message names the command that line runs.
   */
  @Test
  void standaloneWithoutXaddFailsToBuildNamingXadd() {
    assertThat(refusal(standalone("noxadd"))).startsWith("XADD inside a script");
  }

  /** Redis names no channel ("can't publish to the channel"); the message names the pattern. */
  @Test
  void standaloneWithoutTheChannelPatternFailsToBuildNamingTheChannels() {
    assertThat(refusal(standalone("nochannel")))
        .startsWith("publishing on the channels test:* inside a script");
  }

  @Test
  void clusterWithoutXaddFailsToBuildNamingXadd() {
    assertThat(refusal(clustered("noxadd"))).startsWith("XADD inside a script");
  }

  /**
   * Jedis gives up with "Could not initialize cluster slots cache." and keeps Redis' NOPERM only
   * as a suppressed exception; build()'s message quotes it, naming the command.
   */
  @Test
  void clusterWithoutClusterSlotsFailsToBuildNamingIt() {
    IllegalStateException e = Assertions.catchThrowableOfType(
        () -> new Fleet(1, clustered("noslots")).close(), IllegalStateException.class);
    assertThat(e).hasMessageStartingWith("cannot reach cluster [" + seed() + "]")
        .hasMessageContaining("lacks a permission nearcache needs: NOPERM")
        .hasMessageContaining("'cluster");
  }

  /** What build() says the user lacks, up to Redis' own words. */
  private static String refusal(UnaryOperator<NearCacheClient.Builder> source) {
    IllegalStateException e = Assertions.catchThrowableOfType(
        () -> new Fleet(1, source).close(), IllegalStateException.class);
    assertThat(e).isNotNull();
    String head = "the Redis user lacks a permission nearcache needs: ";
    assertThat(e.getMessage()).startsWith(head).contains("; grant: ACL SETUSER <user> resetkeys");
    return e.getMessage().substring(head.length());
  }

  private static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }
}
