package io.nearcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.testkit.ServerOptions.TlsAuthClients;
import java.net.URI;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.exceptions.JedisConnectionException;

class RedisServerTlsTest {

  private static TestCertificates certs;

  @BeforeAll
  static void makeCertificates() {
    certs = TestCertificates.create();
  }

  @AfterAll
  static void deleteCertificates() {
    certs.close();
  }

  @Test
  void aTlsServerAnswersOverTlsWithTheCaTrustedAndKeepsTlsAcrossRestart() {
    try (RedisServer redis = RedisServer.start(ServerOptions.defaults().withTls(certs))) {
      assertThat(redis.isTls()).isTrue();
      assertThat(redis.uri()).isEqualTo("rediss://127.0.0.1:" + redis.port());
      assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");
      assertThat(redis.configGet("port")).isEqualTo("0");
      assertThat(redis.configGet("tls-port")).isEqualTo(Integer.toString(redis.port()));
      assertThat(ping(redis.clientConfig().build(), redis)).isEqualTo("PONG");
      assertThat(ping(quiet().sslOptions(certs.sslOptions()).build(), redis)).isEqualTo("PONG");
      try (Jedis byUri = new Jedis(URI.create(redis.uri()), redis.clientConfig().build())) {
        assertThat(byUri.ping()).isEqualTo("PONG");
      }

      redis.restart();

      assertThat(ping(redis.clientConfig().build(), redis)).isEqualTo("PONG");
      redis.stop();
      assertThat(redis.log()).contains("User requested shutdown");
    }
  }

  @Test
  void aPlaintextConnectionToATlsServerFails() {
    try (RedisServer redis = RedisServer.start(ServerOptions.defaults().withTls(certs))) {
      JedisClientConfig plain = quiet().build();

      assertThatThrownBy(() -> ping(plain, redis)).isInstanceOf(JedisConnectionException.class);
      assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCaFails() {
    try (RedisServer redis = RedisServer.start(ServerOptions.defaults().withTls(certs))) {
      // The JVM's default trust store, which knows nothing of the test CA.
      JedisClientConfig untrusting = quiet().ssl(true).build();

      assertThatThrownBy(() -> ping(untrusting, redis))
          .isInstanceOf(JedisConnectionException.class)
          .hasCauseInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void hostNameVerificationRejectsACertificateForAnotherHost() {
    ServerOptions options = ServerOptions.defaults()
        .withTls(certs, certs.serverForOtherHost());
    try (RedisServer redis = RedisServer.start(options)) {
      // The kit checks only the CA, so it still gets in.
      assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");

      assertThatThrownBy(() -> ping(redis.clientConfig().build(), redis))
          .isInstanceOf(JedisConnectionException.class)
          .hasCauseInstanceOf(SSLHandshakeException.class)
          .hasStackTraceContaining("127.0.0.1");
      assertThatThrownBy(() -> ping(quiet().sslOptions(certs.sslOptions()).build(), redis))
          .isInstanceOf(JedisConnectionException.class)
          .hasCauseInstanceOf(SSLHandshakeException.class);
      SslOptions caOnly = SslOptions.builder()
          .truststore(certs.trustStore().toFile(), certs.storePassword())
          .sslVerifyMode(SslVerifyMode.CA)
          .build();
      assertThat(ping(quiet().sslOptions(caOnly).build(), redis)).isEqualTo("PONG");
    }
  }

  @Test
  void tlsAuthClientsYesWantsTheClientCertificate() {
    ServerOptions options = ServerOptions.defaults()
        .withTls(certs)
        .withTlsAuthClients(TlsAuthClients.YES);
    try (RedisServer redis = RedisServer.start(options)) {
      assertThat(redis.configGet("tls-auth-clients")).isEqualTo("yes");
      assertThat(redis.<String>withJedis(Jedis::ping)).isEqualTo("PONG");

      // TLS 1.3 may finish the client's handshake first; the refusal then comes on first read.
      assertThatThrownBy(() -> ping(redis.clientConfig().build(), redis))
          .isInstanceOf(JedisConnectionException.class);
      assertThat(ping(redis.clientConfig()
          .sslSocketFactory(certs.clientSslContext().getSocketFactory()).build(), redis))
          .isEqualTo("PONG");
      assertThat(ping(quiet().sslOptions(certs.clientSslOptions()).build(), redis))
          .isEqualTo("PONG");
    }
  }

  @Test
  void tlsAuthClientsNeedsTls() {
    assertThatThrownBy(() -> ServerOptions.defaults().withTlsAuthClients(TlsAuthClients.YES))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs TLS");
  }

  /** Without protocol negotiation, on which Jedis 8 warns at every connection. */
  private static DefaultJedisClientConfig.Builder quiet() {
    return DefaultJedisClientConfig.builder().timeoutMillis(1_000).autoNegotiateProtocol(false);
  }

  private static String ping(JedisClientConfig config, RedisServer redis) {
    try (Jedis jedis = new Jedis(new HostAndPort(redis.host(), redis.port()), config)) {
      return jedis.ping();
    }
  }
}
