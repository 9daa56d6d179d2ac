package io.nearcache.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.ShutdownParams;

/**
 * A real {@code redis-server} process listening on a free port of {@code 127.0.0.1}, for tests
 * that need Redis to fail the way it fails in production: stopped, killed, frozen, restarted.
 *
 * <p>The binary is chosen once per JVM, at the first {@link #start}: the system property
 * {@code nearcache.redis.server} if set, else the environment variable
 * {@code NEARCACHE_REDIS_SERVER}, naming either the path of a {@code redis-server} binary or the
 * word {@code embedded}; with neither, the {@code redis-server} found on {@code PATH}. The word
 * {@code embedded}, or no binary on {@code PATH}, means the binary bundled in the embedded-redis
 * jar for this OS and architecture (Redis 6.2), extracted to a temporary file. The first server
 * started logs the binary and its version. Every server runs without persistence
 * ({@code --save "" --appendonly no}) in its own temporary directory, which also holds the process
 * output ({@code redis.log}); startup failures quote its tail. The server never uses port 6379, so
 * it cannot touch a developer's Redis.
 *
 * <p>{@link #start(ServerOptions)} also starts servers that listen only on TLS, with certificates
 * from {@link TestCertificates}, and servers with ACL users; the kit's own connections
 * ({@link #jedis()}, {@link #withJedis}, {@link #stop()}, {@link #configGet}, ...) then speak TLS
 * and authenticate as the kit's admin user, whatever the test's users may do.
 *
 * <p>A JVM shutdown hook kills the process if the JVM exits before {@link #close()}, so no
 * {@code redis-server} outlives the tests. Lifecycle methods are thread-safe.
 */
public final class RedisServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);

  private static final String HOST = "127.0.0.1";
  private static final int DEFAULT_REDIS_PORT = 6379;
  private static final int DEFAULT_SENTINEL_PORT = 26379;
  private static final long STARTUP_TIMEOUT_MILLIS = 10_000;
  private static final long STOP_TIMEOUT_MILLIS = 5_000;
  private static final long POLL_MILLIS = 50;
  private static final int PROBE_TIMEOUT_MILLIS = 200;
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);
  /** Short, so that stopping a server that does not answer falls back to SIGKILL quickly. */
  private static final int SHUTDOWN_TIMEOUT_MILLIS = 1_000;
  /** Another process may take the free port between our probe and redis-server's bind. */
  private static final int PORT_ATTEMPTS = 5;

  /** System property naming the redis-server binary; wins over {@link #ENVIRONMENT_VARIABLE}. */
  static final String SYSTEM_PROPERTY = "nearcache.redis.server";
  /** Environment variable naming the redis-server binary. */
  static final String ENVIRONMENT_VARIABLE = "NEARCACHE_REDIS_SERVER";
  /** The value of either setting that selects the binary bundled in embedded-redis. */
  static final String EMBEDDED = "embedded";

  private static Path binary;
  private static boolean binaryLogged;

  private final Path binaryPath;
  private final ServerOptions options;
  private final ProcessDir dir;
  private final Thread shutdownHook;
  private int port;
  private volatile Process process;
  private volatile String version;
  private boolean paused;
  private boolean closed;

  private RedisServer(Path binaryPath, ServerOptions options, ProcessDir dir) {
    this.binaryPath = binaryPath;
    this.options = options;
    this.dir = dir;
    this.shutdownHook = new Thread(this::destroyProcess, "redis-server-reaper");
  }

  /**
   * Starts a server on a free loopback port and waits until it answers {@code PING}.
   *
   * @param extraConfig redis-server command-line options appended after the kit's own, one word
   *     per argument, e.g. {@code "--client-output-buffer-limit", "pubsub", "64kb", "32kb", "1"};
   *     later options win. Redis 7 also accepts {@code "pubsub 64kb 32kb 1"} as one argument, but
   *     the bundled Redis 6.2 rejects it
   * @return the running server; close it to stop the process and delete its directory
   * @throws NullPointerException if {@code extraConfig} or one of its elements is null
   * @throws IllegalStateException if no binary is available, {@code nearcache.redis.server} or
   *     {@code NEARCACHE_REDIS_SERVER} names something that is not an executable file (the message
   *     names the setting and the path), the process exits during startup
   *     (the message quotes its output) or it does not answer {@code PING} within 10 s
   * @throws UncheckedIOException if the temporary directory or process cannot be created
   */
  public static RedisServer start(String... extraConfig) {
    return start(ServerOptions.defaults().withExtraConfig(extraConfig));
  }

  /**
   * Starts a server as {@link #start(String...)} does, with TLS, ACL users and extra options as
   * {@code options} say, and waits until it answers the kit's own connection: over TLS for a TLS
   * server, authenticated as {@value ServerOptions#ADMIN_USER} for an ACL server. The options are
   * kept for {@link #restart()}.
   *
   * @param options how to start; the same instance may start any number of servers
   * @return the running server; close it to stop the process and delete its directory
   * @throws NullPointerException if {@code options} is null
   * @throws IllegalStateException as {@link #start(String...)}; in particular if Redis rejects a
   *     TLS file or an ACL rule (the message quotes its output)
   * @throws UncheckedIOException if the temporary directory or process cannot be created
   */
  public static RedisServer start(ServerOptions options) {
    Objects.requireNonNull(options, "options");
    Path binaryPath = binary();
    RedisServer server = new RedisServer(binaryPath, options,
        ProcessDir.create("nearcache-redis-", "redis.log"));
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.startOnFreePort();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Returns the port this server listens on; it stays the same across {@link #restart()}.
   *
   * @return the port, never 6379
   */
  public int port() {
    return port;
  }

  /**
   * Returns the version of Redis this server runs, the {@code redis_version} field of its
   * {@code INFO server}, e.g. {@code "7.0.15"}. Read when the process first answered, so it needs
   * no round trip and is available in every state, stopped, paused or closed included; all
   * restarts run the same binary.
   *
   * @return the version as Redis reports it, never null
   */
  public String version() {
    return version;
  }

  /**
   * Returns the address this server binds to: {@code "127.0.0.1"}.
   *
   * @return {@code "127.0.0.1"}
   */
  public String host() {
    return HOST;
  }

  /**
   * Returns {@code "redis://127.0.0.1:<port>"}, or {@code "rediss://127.0.0.1:<port>"} for a TLS
   * server, usable by any Redis client; a {@code rediss} client must still be told to trust the
   * {@link TestCertificates} CA.
   *
   * @return the URI, without credentials
   */
  public String uri() {
    return scheme() + HOST + ":" + port;
  }

  /**
   * Returns {@link #uri()} with credentials: {@code "redis://<user>:<password>@127.0.0.1:<port>"}
   * ({@code rediss} for TLS), user and password percent-encoded in UTF-8 except for the
   * characters RFC 3986 leaves unreserved, so any password survives; clients decode them.
   *
   * @param user the ACL user name
   * @param password the user's password; any characters
   * @return the URI with the encoded credentials
   * @throws NullPointerException if {@code user} or {@code password} is null
   */
  public String uri(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    return scheme() + percentEncode(user) + ":" + percentEncode(password) + "@" + HOST + ":"
        + port;
  }

  /**
   * Returns whether this server listens only on TLS, as its {@link #options()} say.
   *
   * @return {@code true} for a TLS server
   */
  public boolean isTls() {
    return options.tls();
  }

  /**
   * Returns the options this server was started with, and restarts with.
   *
   * @return the options, never {@code null}
   */
  public ServerOptions options() {
    return options;
  }

  /**
   * Returns the process id of the current process, or of the last one once stopped or killed.
   *
   * @return the operating system's process id
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Returns whether the process is alive. A {@link #pause() paused} server is alive (it holds its
   * port and data) but does not answer.
   *
   * @return {@code true} while the process is alive, paused or not
   */
  public boolean isRunning() {
    Process current = process;
    return current != null && current.isAlive();
  }

  /**
   * Stops the server gracefully with {@code SHUTDOWN NOSAVE} and waits for the process to exit;
   * if it has not exited within 5 s, or is paused, it is killed. Does nothing if the server is not
   * running. Data is lost; {@link #restart()} starts again on the same port.
   *
   * @throws IllegalStateException if the process is still alive after SIGKILL
   */
  public synchronized void stop() {
    if (!isRunning()) {
      return;
    }
    if (!paused) {
      try (Jedis jedis = adminConnection(SHUTDOWN_TIMEOUT_MILLIS)) {
        jedis.shutdown(new ShutdownParams().nosave());
      } catch (JedisException e) {
        LOG.debug("SHUTDOWN NOSAVE failed on port {}, killing the process", port, e);
      }
      if (awaitExit()) {
        return;
      }
      LOG.warn("redis-server on port {} did not exit after SHUTDOWN, killing it", port);
    }
    kill();
  }

  /**
   * Kills the process with SIGKILL, as a crash would, and waits for it to exit. Open client
   * connections see a reset. Does nothing if the server is not running; works on a paused server.
   *
   * @throws IllegalStateException if the process is still alive 5 s after SIGKILL
   */
  public synchronized void kill() {
    if (!isRunning()) {
      return;
    }
    process.destroyForcibly();
    if (!awaitExit()) {
      throw new IllegalStateException(
          "redis-server pid " + pid() + " on port " + port + " still alive 5 s after SIGKILL");
    }
    paused = false;
  }

  /**
   * Freezes the process with SIGSTOP: connections stay open and new ones are accepted by the
   * kernel, but no command is answered until {@link #resume()}, so clients hit their timeouts.
   *
   * @throws IllegalStateException if the server is not running or {@code kill -STOP} fails
   */
  public synchronized void pause() {
    signal("STOP");
    paused = true;
  }

  /**
   * Lets a {@link #pause() paused} process continue with SIGCONT; it then answers queued and new
   * commands. Harmless on a server that is not paused.
   *
   * @throws IllegalStateException if the server is not running or {@code kill -CONT} fails
   */
  public synchronized void resume() {
    signal("CONT");
    paused = false;
  }

  /**
   * Starts the server again on the same port with the same options, with an empty data set, and
   * waits until it answers {@code PING}. A running server is {@link #stop() stopped} first. Waits
   * up to 10 s for the port to become free.
   *
   * @throws IllegalStateException if the server is closed, the port stays taken, or the new
   *     process exits or does not answer within 10 s
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("RedisServer on port " + port + " is closed");
    }
    stop();
    awaitPortFree();
    if (!launch(port)) {
      throw new IllegalStateException(
          binaryPath + " exited while restarting on port " + port + " with code "
              + process.exitValue() + "; output tail:\n" + dir.logTail());
    }
  }

  /**
   * Kills every connection in pub/sub mode ({@code CLIENT KILL TYPE pubsub}), as Redis does when
   * a subscriber exceeds its output buffer limit. Other connections stay open.
   *
   * @return the number of connections killed
   * @throws redis.clients.jedis.exceptions.JedisException if the server does not answer
   */
  public long killPubSubClients() {
    return withJedis(jedis -> jedis.clientKill(new ClientKillParams().type(ClientType.PUBSUB)));
  }

  /**
   * Deletes every key of every database of this server ({@code FLUSHALL}). Safe: this server
   * belongs to the kit, never to a developer.
   *
   * @throws redis.clients.jedis.exceptions.JedisException if the server does not answer
   */
  public void flushAll() {
    withJedis(Jedis::flushAll);
  }

  /**
   * Returns the value of one configuration parameter ({@code CONFIG GET name}).
   *
   * @param name the exact parameter name, e.g. {@code "maxmemory"}
   * @return its value, or {@code null} if Redis knows no such parameter
   * @throws redis.clients.jedis.exceptions.JedisException if the server does not answer
   */
  public String configGet(String name) {
    Objects.requireNonNull(name, "name");
    return withJedis(jedis -> jedis.configGet(name).get(name));
  }

  /**
   * Sets one configuration parameter at runtime ({@code CONFIG SET name value}); a
   * {@link #restart()} reverts to the start options.
   *
   * @param name the exact parameter name, e.g. {@code "maxmemory"}
   * @param value the new value, as {@code CONFIG SET} takes it, e.g. {@code "64mb"}
   * @throws redis.clients.jedis.exceptions.JedisDataException if Redis rejects the name or value
   * @throws redis.clients.jedis.exceptions.JedisException if the server does not answer
   */
  public void configSet(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    withJedis(jedis -> jedis.configSet(name, value));
  }

  /**
   * Opens a new Jedis connection to this server with a 2 s connect and socket timeout. The caller
   * owns it and must close it. It is the kit's own connection: over TLS for a TLS server,
   * trusting the CA and presenting {@link TestCertificates#client()} but not checking the host
   * name (so it works with {@link TestCertificates#serverForOtherHost()}); authenticated as
   * {@value ServerOptions#ADMIN_USER}, allowed everything, for an ACL server. To connect as the
   * code under test would, use {@link #clientConfig()} or {@link #jedis(String, String)}.
   *
   * @return the open connection
   * @throws redis.clients.jedis.exceptions.JedisConnectionException if the server does not answer
   */
  public Jedis jedis() {
    return jedis(CLIENT_TIMEOUT);
  }

  /**
   * Opens a new Jedis connection to this server, the kit's own as {@link #jedis()}, with the given
   * connect and socket timeout, e.g. a short one to see a {@link #pause() paused} server time
   * out. The caller must close it.
   *
   * @param timeout the connect and socket timeout, 1 ms to {@code Integer.MAX_VALUE} ms
   * @return the open connection
   * @throws IllegalArgumentException if {@code timeout} is not positive or over
   *     {@code Integer.MAX_VALUE} ms
   * @throws redis.clients.jedis.exceptions.JedisConnectionException if the server does not answer
   *     within {@code timeout}
   */
  public Jedis jedis(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long millis = timeout.toMillis();
    if (millis <= 0 || millis > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("timeout must be between 1 ms and "
          + Integer.MAX_VALUE + " ms: " + timeout);
    }
    return adminConnection((int) millis);
  }

  /**
   * Opens a new Jedis connection as a client of this server, authenticated as {@code user}, with
   * {@link #clientConfig()}'s settings: over TLS with host name verification for a TLS server.
   * The caller must close it.
   *
   * @param user the ACL user name
   * @param password the user's password
   * @return the open, authenticated connection
   * @throws NullPointerException if {@code user} or {@code password} is null
   * @throws redis.clients.jedis.exceptions.JedisConnectionException if the server does not answer
   *     or the TLS handshake fails
   * @throws redis.clients.jedis.exceptions.JedisAccessControlException if Redis refuses the
   *     credentials ({@code WRONGPASS}) or the user is off
   */
  public Jedis jedis(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    return new Jedis(new HostAndPort(HOST, port),
        clientConfig().user(user).password(password).build());
  }

  /**
   * Returns a new Jedis client configuration for this server, as the code under test would use:
   * 2 s connect and socket timeouts, RESP2 without protocol negotiation (Jedis 8 warns on every
   * connection otherwise), no credentials; for a TLS server, TLS trusting only the
   * {@link TestCertificates} CA, with host name verification and without a client certificate.
   * The builder is the caller's: add {@code user}/{@code password}, override any setting, or
   * {@code sslSocketFactory(certs.clientSslContext().getSocketFactory())} for
   * {@link ServerOptions.TlsAuthClients#YES}.
   *
   * @return a new builder, the caller's to change
   */
  public DefaultJedisClientConfig.Builder clientConfig() {
    DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
        .timeoutMillis((int) CLIENT_TIMEOUT.toMillis())
        .autoNegotiateProtocol(false);
    // Without sslParameters, Jedis verifies the host name (endpoint identification HTTPS).
    options.certificates().ifPresent(certificates ->
        builder.ssl(true).sslSocketFactory(certificates.socketFactory()));
    return builder;
  }

  /**
   * Runs {@code action} with a short-lived {@link #jedis() connection} to this server, closed
   * afterwards, and returns its result. Meant for peeking into Redis from tests. Inside AssertJ's
   * overloaded {@code assertThat}, name the result type, as in
   * {@code assertThat(redis.<String>withJedis(Jedis::ping))}; javac cannot infer it there.
   *
   * @param <T> the result type
   * @param action what to do with the connection; it must not keep the connection
   * @return what {@code action} returned
   * @throws redis.clients.jedis.exceptions.JedisException if the server does not answer or
   *     rejects a command; exceptions of {@code action} propagate unchanged
   */
  public <T> T withJedis(Function<? super Jedis, ? extends T> action) {
    try (Jedis jedis = jedis()) {
      return action.apply(jedis);
    }
  }

  /**
   * {@link #stop() Stops} the server, removes its shutdown hook and deletes its temporary
   * directory. Idempotent. A directory that cannot be deleted is logged, not thrown.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook itself kills the process.
      }
      dir.delete();
    }
  }

  @Override
  public String toString() {
    Process current = process;
    return "RedisServer[" + HOST + ":" + port + (isTls() ? ", tls" : "")
        + (options.acl() ? ", acl" : "")
        + (current == null ? "" : ", pid " + current.pid())
        + (isRunning() ? (paused ? ", paused" : ", running") : ", stopped") + "]";
  }

  private void startOnFreePort() {
    for (int attempt = 1; ; attempt++) {
      int candidate = freePort();
      if (launch(candidate)) {
        return;
      }
      // Retry only when someone else took the port; any other exit is a real failure.
      if (attempt == PORT_ATTEMPTS || isBindable(candidate)) {
        throw new IllegalStateException(
            binaryPath + " exited during startup on port " + candidate + " with code "
                + process.exitValue() + " (attempt " + attempt + " of " + PORT_ATTEMPTS
                + "); output tail:\n" + dir.logTail());
      }
      LOG.debug("port {} was taken before redis-server could bind it, trying another", candidate);
    }
  }

  /**
   * Starts a process on {@code port} and waits for it to answer. Returns false if it exited
   * during startup (e.g. port taken, bad option); throws if it neither answers nor exits in time.
   */
  private boolean launch(int port) {
    this.port = port;
    List<String> command = new ArrayList<>(List.of(
        binaryPath.toString(),
        "--bind", HOST,
        "--save", "",
        "--appendonly", "no",
        "--protected-mode", "no",
        "--dir", dir.path().toString()));
    command.addAll(options.arguments(port));
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile().toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    paused = false;
    return awaitReady();
  }

  private boolean awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_TIMEOUT_MILLIS);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      if (answersAsThisProcess()) {
        return true;
      }
      try {
        // Doubles as the poll delay and returns early if the process exits.
        process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        destroyProcess();
        throw new IllegalStateException("interrupted while waiting for redis-server", e);
      }
    }
    destroyProcess();
    throw new IllegalStateException(
        "redis-server pid " + process.pid() + " did not answer PING on port " + port + " within "
            + STARTUP_TIMEOUT_MILLIS + " ms; output tail:\n" + dir.logTail());
  }

  /** True if our process answers on the port, not some other server that grabbed it first. */
  private boolean answersAsThisProcess() {
    try (Jedis jedis = adminConnection(PROBE_TIMEOUT_MILLIS)) {
      String info = jedis.info("server");
      if (!info.contains("process_id:" + process.pid() + "\r\n")) {
        return false;
      }
      version = info.lines()
          .filter(line -> line.startsWith("redis_version:"))
          .map(line -> line.substring("redis_version:".length()).strip())
          .findFirst()
          .orElseThrow(() -> new IllegalStateException(
              binaryPath + " answered INFO server without a redis_version:\n" + info));
      logBinaryOnce(binaryPath, version);
      return true;
    } catch (JedisException e) {
      return false;
    }
  }

  private boolean awaitExit() {
    try {
      return process.waitFor(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for redis-server to exit", e);
    }
  }

  private void awaitPortFree() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_TIMEOUT_MILLIS);
    while (!isBindable(port)) {
      if (System.nanoTime() >= deadline) {
        throw new IllegalStateException(
            "port " + port + " still taken " + STARTUP_TIMEOUT_MILLIS + " ms after redis-server"
                + " stopped; cannot restart on it");
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for port " + port, e);
      }
    }
  }

  private void signal(String signal) {
    if (!isRunning()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    List<String> command = List.of("kill", "-" + signal, Long.toString(pid()));
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!kill.waitFor(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in time");
      }
      if (kill.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with code "
            + kill.exitValue() + ": " + output.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    }
  }

  private void destroyProcess() {
    Process current = process;
    if (current != null) {
      current.destroyForcibly();
    }
  }

  /**
   * Everything the server process wrote to its log so far, across restarts: what a test reads to
   * see what the server did (clients it disconnected, for one).
   *
   * @return the log's text
   * @throws IllegalStateException if the log cannot be read
   */
  public String log() {
    return dir.log();
  }

  /** The kit's own connection: TLS without host name check, admin credentials if ACL. */
  private Jedis adminConnection(int timeoutMillis) {
    return new Jedis(new HostAndPort(HOST, port), options.kitConfig(timeoutMillis));
  }

  private String scheme() {
    return options.tls() ? "rediss://" : "redis://";
  }

  private static String percentEncode(String text) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        encoded.append(c);
      } else {
        encoded.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return encoded.toString();
  }

  /** A port of {@code 127.0.0.1} free now, never a developer's Redis or Sentinel. */
  static int freePort() {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
        int candidate = socket.getLocalPort();
        if (candidate != DEFAULT_REDIS_PORT && candidate != DEFAULT_SENTINEL_PORT) {
          return candidate;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free port on " + HOST, e);
      }
    }
  }

  /** Whether {@code port} of {@code 127.0.0.1} could be bound now. */
  static boolean isBindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // As redis-server does, so that connections in TIME_WAIT do not count as taken.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(HOST, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static synchronized Path binary() {
    if (binary == null) {
      binary = selectBinary(System.getProperty(SYSTEM_PROPERTY),
          System.getenv(ENVIRONMENT_VARIABLE));
    }
    return binary;
  }

  private static synchronized void logBinaryOnce(Path binaryPath, String version) {
    if (!binaryLogged) {
      binaryLogged = true;
      LOG.info("Using redis-server binary {} (Redis {})", binaryPath, version);
    }
  }

  /**
   * Chooses the redis-server binary from the two settings, as {@link #start} does with the system
   * property {@code nearcache.redis.server} and the environment variable
   * {@code NEARCACHE_REDIS_SERVER}. A null or blank setting counts as unset; the property wins.
   * A setting is either {@code embedded} (any case), which extracts the bundled binary, or a path,
   * resolved against the working directory; with neither set, the first {@code redis-server} on
   * {@code PATH}, else the bundled binary.
   *
   * @param property the system property's value, or null
   * @param variable the environment variable's value, or null
   * @return the path of an executable file, made absolute when a setting named it
   * @throws IllegalStateException if the chosen setting is not a path to an executable file (the
   *     message names the setting, its value and the absolute path), or the bundled binary is
   *     needed but there is none for this OS and architecture
   * @throws UncheckedIOException if the bundled binary cannot be extracted
   */
  static Path selectBinary(String property, String variable) {
    String setting;
    String source;
    if (property != null && !property.isBlank()) {
      setting = property.strip();
      source = "system property " + SYSTEM_PROPERTY;
    } else if (variable != null && !variable.isBlank()) {
      setting = variable.strip();
      source = "environment variable " + ENVIRONMENT_VARIABLE;
    } else {
      return findOnPath()
          .orElseGet(() -> extractBundled("no redis-server on PATH and " + ENVIRONMENT_VARIABLE
              + " unset"));
    }
    if (setting.equalsIgnoreCase(EMBEDDED)) {
      return extractBundled(source + " is " + EMBEDDED);
    }
    Path path;
    try {
      path = Path.of(setting).toAbsolutePath();
    } catch (InvalidPathException e) {
      throw new IllegalStateException(source + " is \"" + setting + "\", not a valid path: "
          + e.getMessage() + "; set it to a redis-server binary or to \"" + EMBEDDED + "\"", e);
    }
    if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
      throw new IllegalStateException(source + " is \"" + setting + "\", but " + path
          + (Files.exists(path) ? " is not an executable file" : " does not exist")
          + "; set it to a redis-server binary or to \"" + EMBEDDED + "\" ("
          + SYSTEM_PROPERTY + " wins over " + ENVIRONMENT_VARIABLE + ")");
    }
    return path;
  }

  private static Optional<Path> findOnPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry, "redis-server"))
        .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
        .findFirst();
  }

  private static Path extractBundled(String why) {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    boolean arm = arch.equals("aarch64") || arch.equals("arm64");
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    String resource = null;
    if (os.contains("linux")) {
      resource = x64 ? "/redis-server-6.2.6-v5-linux-amd64"
          : arm ? "/redis-server-6.2.7-linux-arm64" : null;
    } else if (os.contains("mac")) {
      resource = x64 ? "/redis-server-6.2.6-v5-darwin-amd64"
          : arm ? "/redis-server-6.2.6-v5-darwin-arm64" : null;
    }
    // Through the class loader: on the module path, Class.getResourceAsStream would search only
    // this module, and the binaries are embedded-redis' resources.
    try (InputStream in = resource == null ? null
        : RedisServer.class.getClassLoader().getResourceAsStream(resource.substring(1))) {
      if (in == null) {
        throw new IllegalStateException(why + ", but embedded-redis bundles no binary for "
            + os + "/" + arch + (resource == null ? "" : " (" + resource + " missing)")
            + "; install redis-server or set " + ENVIRONMENT_VARIABLE + " to one");
      }
      Path target = Files.createTempFile("redis-server-", "");
      target.toFile().deleteOnExit();
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      if (!target.toFile().setExecutable(true)) {
        throw new IllegalStateException("cannot make " + target + " executable");
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + resource, e);
    }
  }
}
