package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.redis.Permissions;
import io.nearcache.testkit.RedisCluster;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.ServerOptions;
import io.nearcache.testkit.TestCertificates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * nearcache over TLS with an ACL user granted exactly {@link
 * io.nearcache.internal.redis.Permissions#rule} and the default user off, on a standalone server
 * and on a Cluster (TLS on the cluster bus and replication too): two clients load once, hit, and
 * see each other's puts and invalidations; a plaintext client gets nothing from the TLS port; a
 * certificate naming another host is refused unless hostname verification is off; and a user
 * lacking one permission makes {@code build()} fail naming what Redis refused.
 */
class TlsAclTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final String PASSWORD = "s3cret-app";
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final List<String> SHARDED_PUBSUB =
      List.of("+spublish", "+ssubscribe", "+sunsubscribe");
  /** How Redis names the probe's XADD: by name, or by its line in the script. */
  private static final Pattern XADD = Pattern.compile("(?i)xadd|@user_script:4\\D");
  private static final Pattern UNKNOWN =
      Pattern.compile("modifier '([^']+)': Unknown command or category name");

  private static TestCertificates certs;
  private static ServerOptions options;
  private static RedisServer server;
  private static RedisCluster cluster;

  @BeforeAll
  static void start() {
    certs = TestCertificates.create();
    options = ServerOptions.defaults().withTls(certs).withDefaultUserDisabled();
    server = RedisServer.start(options);
    cluster = RedisCluster.start(
        options.withExtraConfig("--tls-cluster", "yes", "--tls-replication", "yes"));
    grantUsers(server);
    cluster.nodes().forEach(TlsAclTest::grantUsers);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (server != null) {
      server.close();
    }
    certs.close();
  }

  /** "app" with the rule, and users each lacking one permission, on {@code node}. */
  static void grantUsers(RedisServer node) {
    List<String> rule = rule();
    List<String> rejected = grant(node, "app", rule);
    boolean v6 = node.version().startsWith("6.");
    // Redis 6.2 has no sharded pub/sub, and rejects the rule's 7.0 commands: a library problem.
    assertThat(rejected).as("words of Permissions.rule that Redis %s rejects", node.version())
        .isSubsetOf(v6 ? SHARDED_PUBSUB : List.of());
    if (!rejected.isEmpty() && node == server) {
      System.out.printf("Redis %s rejects %s of Permissions.rule; granted without%n",
          node.version(), rejected);
    }
    List<String> known = new ArrayList<>(rule);
    known.removeAll(rejected);
    grant(node, "noxadd", without(known, "+xadd"));
    grant(node, "nochannel", without(known, "&test:*"));
    grant(node, "noslots", without(known, "+cluster|slots"));
  }

  /**
   * ACL SETUSER {@code user} with {@code rule}, as the kit's admin, leaving out the words Redis
   * says it does not know; returns those.
   */
  private static List<String> grant(RedisServer node, String user, List<String> rule) {
    List<String> words = new ArrayList<>(rule);
    List<String> rejected = new ArrayList<>();
    while (true) {
      List<String> line = new ArrayList<>(List.of("reset", "on", ">" + PASSWORD));
      line.addAll(words);
      try {
        node.withJedis(j -> j.aclSetUser(user, line.toArray(new String[0])));
        return rejected;
      } catch (JedisDataException e) {
        Matcher unknown = UNKNOWN.matcher(String.valueOf(e.getMessage()));
        if (!unknown.find() || !words.remove(unknown.group(1))) {
          throw e;
        }
        rejected.add(unknown.group(1));
      }
    }
  }

  private static List<String> rule() {
    return List.of(Permissions.rule(Fleet.PREFIX).split(" "));
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

  @Test
  void standaloneOverTlsWithExactlyTheRule() {
    assertThat(server.uri()).startsWith("rediss://");
    demo("standalone " + server.version(), standalone("app"));
  }

  @Test
  void clusterOverTlsWithExactlyTheRule() {
    demo("cluster " + cluster.nodes().get(0).version(), clustered("app"));
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
      grantUsers(other);
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
   * Redis (6.2 and 7.0) refuses XADD inside the probe script naming only the script's line, 4,
   * the XADD, not the command: the message names xadd only in the rule to grant.
   */
  @Test
  void standaloneWithoutXaddFailsToBuildNamingTheXaddLine() {
    assertThat(refusal(standalone("noxadd"))).containsPattern(XADD);
  }

  /** Redis names no channel: "can't publish to the channel mentioned in the command". */
  @Test
  void standaloneWithoutTheChannelPatternFailsToBuildSayingChannel() {
    assertThat(refusal(standalone("nochannel"))).containsIgnoringCase("channel");
  }

  @Test
  void clusterWithoutXaddFailsToBuildNamingTheXaddLine() {
    assertThat(refusal(clustered("noxadd"))).containsPattern(XADD);
  }

  /**
   * Jedis gives up with "Could not initialize cluster slots cache." and keeps Redis' NOPERM only
   * as a suppressed exception of the cause, so build()'s message does not name cluster|slots.
   */
  @Test
  void clusterWithoutClusterSlotsFailsToBuildWithTheNopermInTheCause() {
    IllegalStateException e = Assertions.catchThrowableOfType(
        () -> new Fleet(1, clustered("noslots")).close(), IllegalStateException.class);
    assertThat(e).hasMessageStartingWith("cannot reach cluster [" + seed() + "]");
    assertThat(e.getCause().getSuppressed()).extracting(Throwable::getMessage)
        .anySatisfy(m -> assertThat(m).contains("NOPERM").contains("'cluster"));
  }

  /** Redis' refusal as build() quotes it, without the rule the message ends with. */
  private static String refusal(UnaryOperator<NearCacheClient.Builder> source) {
    IllegalStateException e = Assertions.catchThrowableOfType(
        () -> new Fleet(1, source).close(), IllegalStateException.class);
    assertThat(e).isNotNull();
    String message = e.getMessage();
    assertThat(message).contains("refused a command nearcache needs")
        .endsWith("; grant: ACL SETUSER <user> " + Permissions.rule(Fleet.PREFIX));
    return message.substring(0, message.indexOf("; grant"));
  }

  private static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }
}
