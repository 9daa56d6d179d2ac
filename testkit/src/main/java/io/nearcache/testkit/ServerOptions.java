package io.nearcache.testkit;

import io.nearcache.testkit.TestCertificates.CertificateFiles;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLParameters;
import redis.clients.jedis.DefaultJedisClientConfig;

/**
 * How to start a {@link RedisServer}: over plain TCP or TLS only, with or without ACL users, plus
 * extra redis-server options. Immutable and thread-safe: every {@code with...} method returns a
 * new instance, so one instance can start any number of servers, e.g. every node of a cluster,
 * and they all share its certificates and its admin password.
 *
 * <pre>{@code
 * ServerOptions options = ServerOptions.defaults()
 *     .withTls(certs)
 *     .withUser("alice", "on", ">secret", "~app:*", "&app:*", "+@all")
 *     .withDefaultUserDisabled();
 * try (RedisServer redis = RedisServer.start(options);
 *     Jedis alice = redis.jedis("alice", "secret")) { ... }
 * }</pre>
 *
 * <p><b>TLS.</b> A TLS server listens only on TLS ({@code --port 0 --tls-port <port>}), with the
 * given certificate and key and the CA of a {@link TestCertificates} ({@code tls-ca-cert-file});
 * it asks for no client certificate unless {@link #withTlsAuthClients} says so. Replication and
 * the cluster bus stay plain TCP unless {@code --tls-replication yes} or
 * {@code --tls-cluster yes} are added with {@link #withExtraConfig}; the server then presents its
 * own certificate as a client, which is why {@link TestCertificates#server()} allows
 * {@code clientAuth}.
 *
 * <p><b>ACL.</b> Each {@link #withUser} is one {@code user} line of redis.conf, given on the
 * command line. Once there is at least one, the server also gets the kit's own user
 * {@value #ADMIN_USER} ({@code on >password ~* &* +@all}, password {@link #adminPassword()}),
 * which the kit authenticates as for everything it does itself (readiness probe,
 * {@code SHUTDOWN}, {@link RedisServer#jedis()}, {@link RedisServer#withJedis},
 * {@link RedisServer#configGet}, ...), so the test's users, {@code default} included, can be
 * anything. It is also set as {@code masteruser}/{@code masterauth}, so a replica started with
 * the same options authenticates to its master. ACL servers also get
 * {@code --acl-pubsub-default resetchannels}, so that a user has only the channels its
 * {@code &pattern}s name on Redis 6.2 as on 7 (6.2 defaults to {@code allchannels}, and then
 * rejects a later {@code &pattern}).
 *
 * <p>The kit's options come first on the command line, then TLS, then the ACL users, then the
 * extra options, so extra options win.
 */
public final class ServerOptions {

  /** The name of the user the kit creates on ACL servers and authenticates as. */
  public static final String ADMIN_USER = "nearcache-testkit-admin";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Redis's {@code tls-auth-clients}: whether a TLS client must present a certificate. */
  public enum TlsAuthClients {
    /** No client certificate is asked for ({@code tls-auth-clients no}); the kit's default. */
    NO("no"),
    /** A client certificate is asked for and verified if given ({@code optional}). */
    OPTIONAL("optional"),
    /** Every client must present a certificate signed by the CA ({@code yes}). */
    YES("yes");

    private final String configValue;

    TlsAuthClients(String configValue) {
      this.configValue = configValue;
    }

    /**
     * Returns the value redis.conf spells: {@code "no"}, {@code "optional"} or {@code "yes"}.
     *
     * @return the {@code tls-auth-clients} value
     */
    public String configValue() {
      return configValue;
    }
  }

  private final TestCertificates certificates;
  private final CertificateFiles serverCertificate;
  private final TlsAuthClients tlsAuthClients;
  /** User name to the rest of its {@code user} line, in the order first given. */
  private final Map<String, List<String>> users;
  private final List<String> extraConfig;
  private final String adminPassword;

  private ServerOptions(TestCertificates certificates, CertificateFiles serverCertificate,
      TlsAuthClients tlsAuthClients, Map<String, List<String>> users, List<String> extraConfig,
      String adminPassword) {
    this.certificates = certificates;
    this.serverCertificate = serverCertificate;
    this.tlsAuthClients = tlsAuthClients;
    this.users = Collections.unmodifiableMap(users);
    this.extraConfig = List.copyOf(extraConfig);
    this.adminPassword = adminPassword;
  }

  /**
   * Returns options for a plain TCP server without ACL users or extra options, as
   * {@link RedisServer#start(String...)} with no arguments; with a new random
   * {@link #adminPassword()}.
   *
   * @return the default options
   */
  public static ServerOptions defaults() {
    byte[] password = new byte[16];
    RANDOM.nextBytes(password);
    return new ServerOptions(null, null, TlsAuthClients.NO, new LinkedHashMap<>(), List.of(),
        HexFormat.of().formatHex(password));
  }

  /**
   * Returns these options with TLS only, with {@link TestCertificates#server()} as the server's
   * certificate.
   *
   * @param certificates the CA and server certificate to use
   * @return new options
   * @throws NullPointerException if {@code certificates} is null
   */
  public ServerOptions withTls(TestCertificates certificates) {
    Objects.requireNonNull(certificates, "certificates");
    return withTls(certificates, certificates.server());
  }

  /**
   * Returns these options with TLS only, with the given certificate and key, e.g.
   * {@link TestCertificates#serverForOtherHost()}, and the CA of {@code certificates}.
   *
   * @param certificates the certificates whose CA the server trusts
   * @param serverCertificate the certificate and key the server presents, e.g. one of
   *     {@code certificates}
   * @return new options
   * @throws NullPointerException if an argument is null
   */
  public ServerOptions withTls(TestCertificates certificates, CertificateFiles serverCertificate) {
    Objects.requireNonNull(certificates, "certificates");
    Objects.requireNonNull(serverCertificate, "serverCertificate");
    return new ServerOptions(certificates, serverCertificate, tlsAuthClients,
        new LinkedHashMap<>(users), extraConfig, adminPassword);
  }

  /**
   * Returns these options with the given {@code tls-auth-clients}. The kit itself presents
   * {@link TestCertificates#client()}, so it still connects with {@link TlsAuthClients#YES}.
   *
   * @param mode whether a client must present a certificate
   * @return new options
   * @throws NullPointerException if {@code mode} is null
   * @throws IllegalStateException if these options have no TLS ({@link #withTls} comes first)
   */
  public ServerOptions withTlsAuthClients(TlsAuthClients mode) {
    Objects.requireNonNull(mode, "mode");
    if (certificates == null) {
      throw new IllegalStateException("tls-auth-clients " + mode.configValue()
          + " needs TLS, but these options have none; call withTls first");
    }
    return new ServerOptions(certificates, serverCertificate, mode, new LinkedHashMap<>(users),
        extraConfig, adminPassword);
  }

  /**
   * Returns these options with an ACL user: the {@code user} line {@code user <name> <rules...>}
   * of redis.conf, e.g. {@code withUser("alice", "on", ">secret", "~app:*", "&app:*", "+@all")}.
   * A second call for the same name replaces the first. Redis checks the rules at startup; bad
   * ones make {@link RedisServer#start(ServerOptions)} fail quoting Redis's complaint. On Redis
   * 7, a {@code user default ...} line starts the default user from scratch ({@code off},
   * no keys, no commands) rather than amending it.
   *
   * <p>Names and rules (passwords included) must be printable ASCII: they reach redis-server on
   * its command line, which the JVM encodes in the platform charset, so anything else would depend
   * on the machine's locale (under {@code LANG=C} an {@code é} arrives as {@code ?}).
   *
   * @param name the user name; {@code "default"} configures the default user
   * @param rules ACL rules, one per argument; none leaves the user off with no permissions
   * @return new options
   * @throws NullPointerException if an argument or a rule is null
   * @throws IllegalArgumentException if {@code name} is blank or {@value #ADMIN_USER}, or a name
   *     or rule is not printable ASCII
   */
  public ServerOptions withUser(String name, String... rules) {
    Objects.requireNonNull(name, "name");
    List<String> line = List.of(rules);
    if (name.isBlank()) {
      throw new IllegalArgumentException("user name is blank");
    }
    List<String> words = new ArrayList<>(line);
    words.add(name);
    for (String word : words) {
      if (!word.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("ACL user " + name + ": not printable ASCII, which"
            + " the command line cannot carry whatever the locale: \"" + word + "\"");
      }
    }
    if (name.equals(ADMIN_USER)) {
      throw new IllegalArgumentException(ADMIN_USER + " is the kit's own user; pick another name");
    }
    Map<String, List<String>> next = new LinkedHashMap<>(users);
    next.put(name, line);
    return new ServerOptions(certificates, serverCertificate, tlsAuthClients, next, extraConfig,
        adminPassword);
  }

  /**
   * Returns these options with the default user switched off ({@code user default off}):
   * connections that do not {@code AUTH} as another user are refused every command with
   * {@code NOAUTH}.
   *
   * @return new options
   */
  public ServerOptions withDefaultUserDisabled() {
    return withUser("default", "off");
  }

  /**
   * Returns these options with the default user protected by a password but otherwise allowed
   * everything ({@code user default on >password ~* &* +@all}).
   *
   * @param password the default user's password; printable ASCII
   * @return new options
   * @throws NullPointerException if {@code password} is null
   */
  public ServerOptions withDefaultUserPassword(String password) {
    Objects.requireNonNull(password, "password");
    return withUser("default", "on", ">" + password, "~*", "&*", "+@all");
  }

  /**
   * Returns these options with {@code extraConfig} appended to the extra options, which follow
   * all others on the command line and so win, one word per argument as in
   * {@link RedisServer#start(String...)}.
   *
   * @param extraConfig redis-server command-line options, one word per argument
   * @return new options
   * @throws NullPointerException if {@code extraConfig} or one of its elements is null
   */
  public ServerOptions withExtraConfig(String... extraConfig) {
    List<String> more = List.of(extraConfig);
    List<String> next = new ArrayList<>(this.extraConfig);
    next.addAll(more);
    return new ServerOptions(certificates, serverCertificate, tlsAuthClients,
        new LinkedHashMap<>(users), next, adminPassword);
  }

  /** Returns these options with {@code first} put before the extra options, which win. */
  ServerOptions withExtraConfigFirst(List<String> first) {
    List<String> next = new ArrayList<>(first);
    next.addAll(extraConfig);
    return new ServerOptions(certificates, serverCertificate, tlsAuthClients,
        new LinkedHashMap<>(users), next, adminPassword);
  }

  /** Returns these options without extra options: what a Sentinel of such servers is given. */
  ServerOptions withoutExtraConfig() {
    return new ServerOptions(certificates, serverCertificate, tlsAuthClients,
        new LinkedHashMap<>(users), List.of(), adminPassword);
  }

  /**
   * The kit's own connection settings for a process started with these options: TLS trusting the
   * CA and presenting {@link TestCertificates#client()}, without a host name check, so that any
   * certificate of the CA will do; authenticated as {@value #ADMIN_USER} when there are ACL
   * users; RESP2 without negotiation, since Jedis 8 warns on every connection otherwise.
   */
  DefaultJedisClientConfig kitConfig(int timeoutMillis) {
    DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
        .timeoutMillis(timeoutMillis)
        .autoNegotiateProtocol(false);
    if (certificates != null) {
      // Empty parameters: no endpoint identification.
      builder.ssl(true)
          .sslSocketFactory(certificates.clientSslContext().getSocketFactory())
          .sslParameters(new SSLParameters());
    }
    if (acl()) {
      builder.user(ADMIN_USER).password(adminPassword);
    }
    return builder.build();
  }

  /**
   * Returns whether servers started with these options listen only on TLS.
   *
   * @return {@code true} after {@link #withTls}
   */
  public boolean tls() {
    return certificates != null;
  }

  /**
   * Returns the certificates given to {@link #withTls}, or empty without TLS.
   *
   * @return the certificates, or empty
   */
  public Optional<TestCertificates> certificates() {
    return Optional.ofNullable(certificates);
  }

  /**
   * Returns the {@code tls-auth-clients} mode; {@link TlsAuthClients#NO} unless changed.
   *
   * @return the mode, never {@code null}
   */
  public TlsAuthClients tlsAuthClients() {
    return tlsAuthClients;
  }

  /**
   * Returns whether these options have ACL users, and so the kit's {@value #ADMIN_USER}.
   *
   * @return {@code true} after {@link #withUser} or one of the default user's methods
   */
  public boolean acl() {
    return !users.isEmpty();
  }

  /**
   * Returns the password of {@value #ADMIN_USER}, random per {@link #defaults()} call and kept by
   * every {@code with...} copy; the user exists only on {@link #acl()} servers.
   *
   * @return the password, 32 hex digits
   */
  public String adminPassword() {
    return adminPassword;
  }

  /**
   * Returns the extra options, in order; never null.
   *
   * @return the options, in an unmodifiable list
   */
  public List<String> extraConfig() {
    return extraConfig;
  }

  /**
   * The redis-server arguments these options add for a server on {@code port}: the listening
   * ports, TLS, ACL and extra options, in that order.
   */
  List<String> arguments(int port) {
    List<String> arguments = new ArrayList<>();
    if (certificates == null) {
      arguments.addAll(List.of("--port", Integer.toString(port)));
    } else {
      arguments.addAll(List.of(
          "--port", "0",
          "--tls-port", Integer.toString(port),
          "--tls-cert-file", serverCertificate.certificate().toString(),
          "--tls-key-file", serverCertificate.privateKey().toString(),
          "--tls-ca-cert-file", certificates.caCertificate().toString(),
          "--tls-auth-clients", tlsAuthClients.configValue()));
    }
    if (acl()) {
      arguments.addAll(List.of(
          "--acl-pubsub-default", "resetchannels",
          "--user", ADMIN_USER, "on", ">" + adminPassword, "~*", "&*", "+@all",
          "--masteruser", ADMIN_USER,
          "--masterauth", adminPassword));
      users.forEach((name, rules) -> {
        arguments.add("--user");
        arguments.add(name);
        arguments.addAll(rules);
      });
    }
    arguments.addAll(extraConfig);
    return arguments;
  }

  /** Names TLS, the users and the extra options; never the admin password. */
  @Override
  public String toString() {
    return "ServerOptions[" + (certificates == null ? "plain"
        : "tls " + serverCertificate.certificate().getFileName() + ", auth-clients "
            + tlsAuthClients.configValue())
        + (users.isEmpty() ? "" : ", users " + users.keySet())
        + (extraConfig.isEmpty() ? "" : ", extra " + extraConfig) + "]";
  }
}
