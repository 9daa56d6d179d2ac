package io.nearcache;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * How a {@link NearCacheClient} that makes its own connections speaks TLS to Redis: which
 * certificates it trusts, and whether it checks that a server's certificate names the host it
 * connected to. Hostname verification is on unless turned off; immutable.
 *
 * <pre>{@code
 * NearCacheClient.builder().cluster("10.0.0.5:6379")
 *     .tls(RedisTls.trustStore(Path.of("/etc/shop/redis-ca.p12"), password))
 *     .user("shop", secret)
 * }</pre>
 */
public final class RedisTls {
  private final Path trustStore;
  private final char[] password;
  private final boolean verifyHostname;

  private RedisTls(Path trustStore, char[] password, boolean verifyHostname) {
    this.trustStore = trustStore;
    this.password = password;
    this.verifyHostname = verifyHostname;
  }

  /**
   * Trusts what the JVM trusts ({@code javax.net.ssl.trustStore}, else its {@code cacerts}).
   *
   * @return the settings, with hostname verification on
   */
  public static RedisTls systemTrust() {
    return new RedisTls(null, null, true);
  }

  /**
   * Trusts the certificates of a trust store file (PKCS12 or JKS).
   *
   * @param file the trust store file, not {@code null}
   * @param password the store's password, or {@code null} for none; copied
   * @return the settings, with hostname verification on
   * @throws IllegalArgumentException if the file does not exist
   */
  public static RedisTls trustStore(Path file, char[] password) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("trust store is not a file: " + file);
    }
    return new RedisTls(file, password == null ? null : password.clone(), true);
  }

  /**
   * The same trust, without checking that a certificate names the host: only for servers whose
   * certificates cannot name the addresses clients use (a cluster announcing private IPs, say).
   *
   * @return new settings; this one is unchanged
   */
  public RedisTls withoutHostnameVerification() {
    return new RedisTls(trustStore, password, false);
  }

  /**
   * Whether a server certificate must name the host connected to.
   *
   * @return {@code false} only after {@link #withoutHostnameVerification()}
   */
  public boolean verifiesHostname() {
    return verifyHostname;
  }

  /** The Jedis options these settings mean. */
  SslOptions sslOptions() {
    SslOptions.Builder options = SslOptions.builder()
        .sslVerifyMode(verifyHostname ? SslVerifyMode.FULL : SslVerifyMode.CA);
    if (trustStore != null) {
      options.truststore(trustStore.toFile(), password);
    }
    return options.build();
  }

  @Override
  public String toString() {
    return "RedisTls[" + (trustStore == null ? "system trust" : trustStore)
        + (verifyHostname ? "" : ", no hostname verification") + "]";
  }
}
