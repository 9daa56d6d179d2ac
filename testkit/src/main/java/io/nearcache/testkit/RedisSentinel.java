package io.nearcache.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A primary, two replicas and three Sentinels watching them, all real processes on
 * {@code 127.0.0.1}, for tests that need Sentinel failover as it happens in production: asked for
 * ({@link #failover()}), or after the primary died or froze.
 *
 * <p>The data servers are {@link RedisServer}s, with diskless replication without delay, so a
 * replica is in sync within milliseconds. The Sentinels are {@code redis-server <config file>
 * --sentinel} processes of the same binary (there is no separate {@code redis-sentinel}), each
 * in its own temporary directory with its config file, which Sentinel rewrites, and its output
 * ({@code sentinel.log}). They monitor the primary as {@link #masterName()} with quorum 2,
 * {@code down-after-milliseconds} 1000 and {@code failover-timeout} 2000, and reconfigure both
 * replicas at once after a failover. Each starts knowing the other two and both replicas (its
 * config names them, as a rewritten config would), so no failover waits for the 2 s hello
 * messages of the discovery: {@link #start()} returns once every Sentinel sees both replicas and
 * both other Sentinels.
 *
 * <p>Timings: a primary that stops answering is replaced about 2-3 s later (1 s to be
 * subjectively down, the rest to agree it is objectively down, elect a leader, promote a replica
 * and see it report {@code role:master}); the other replica follows the new primary about 2 s
 * after that. After a failover, Sentinel refuses to start another of
 * the same primary for twice the failover timeout, 4 s, unless asked with {@link #failover()}. A
 * Sentinel whose timer is delayed by more than 2 s (a loaded machine, a paused process) enters
 * TILT mode and acts on nothing for 30 s.
 *
 * <p>A JVM shutdown hook kills the Sentinels if the JVM exits before {@link #close()}, as
 * {@link RedisServer} does for the data servers. Lifecycle methods are thread-safe.
 */
public final class RedisSentinel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSentinel.class);

  private static final String HOST = "127.0.0.1";
  private static final String MASTER_NAME = "mymaster";
  private static final int REPLICAS = 2;
  private static final int SENTINELS = 3;
  private static final int QUORUM = 2;
  private static final int DOWN_AFTER_MILLIS = 1_000;
  private static final int FAILOVER_TIMEOUT_MILLIS = 2_000;
  private static final List<String> REPLICATION_CONFIG = List.of(
      "--repl-diskless-sync", "yes",
      "--repl-diskless-sync-delay", "0");
  /** A replica of a TLS-only primary must connect to it over TLS. */
  private static final List<String> TLS_REPLICATION_CONFIG = List.of(
      "--repl-diskless-sync", "yes",
      "--repl-diskless-sync-delay", "0",
      "--tls-replication", "yes");
  /** Starting takes about 1 s, a failover a few; converting a stale primary up to 10 s or so. */
  private static final long AWAIT_TIMEOUT_MILLIS = 30_000;
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(300);

  private static Path binary;

  private final List<RedisServer> servers;
  private final List<SentinelProcess> sentinels;
  private boolean closed;

  private RedisSentinel(List<RedisServer> servers, List<SentinelProcess> sentinels) {
    this.servers = List.copyOf(servers);
    this.sentinels = List.copyOf(sentinels);
  }

  /**
   * Starts a primary, two replicas and three Sentinels with the kit's options only; see
   * {@link #start(String...)}.
   *
   * @return the running topology; close it to stop every process
   */
  public static RedisSentinel start() {
    return start(new String[0]);
  }

  /**
   * Starts a primary, two replicas of it ({@code --replicaof}) and three Sentinels, and waits until
   * the replicas are in sync and every Sentinel sees the primary, both replicas and both other
   * Sentinels as healthy: about 1 s.
   *
   * @param extraConfig redis-server command-line options for the primary and the replicas (not
   *     the Sentinels), appended after the kit's own, as for {@link RedisServer#start(String...)}
   * @return the running topology; close it to stop every process
   * @throws NullPointerException if {@code extraConfig} or one of its elements is null
   * @throws IllegalStateException if a server or Sentinel cannot be started (the message quotes
   *     its output), or the topology is not healthy within 30 s (the message names what was
   *     missing last); every process started is stopped
   * @throws UncheckedIOException if a Sentinel's directory, config file or process cannot be
   *     created
   */
  public static RedisSentinel start(String... extraConfig) {
    return start(ServerOptions.defaults().withExtraConfig(extraConfig));
  }

  /**
   * Starts the topology as {@link #start(String...)} does, with {@code options}' TLS and ACL users
   * on every process, the servers and the Sentinels alike, and its extra options on the servers
   * only.
   *
   * <p>With TLS, every process listens only on TLS with the same certificate, and replicas and
   * Sentinels connect out over TLS too ({@code tls-replication yes}). With ACL users, every
   * process also has the kit's {@value ServerOptions#ADMIN_USER}, as which replicas authenticate
   * to their primary, Sentinels to the servers ({@code sentinel auth-user}) and to each other
   * ({@code sentinel sentinel-user}), and the kit to everything. The test's users are the same
   * on the Sentinels as on the servers; {@code ACL SETUSER} on a Sentinel, or on each server
   * (ACLs are not replicated), gives one its own.
   *
   * @param options how to start every process; its extra options go to the servers only
   * @return the running topology; close it to stop every process
   * @throws NullPointerException if {@code options} is null
   * @throws IllegalStateException as {@link #start(String...)}; in particular if Redis rejects a
   *     TLS file or an ACL rule (the message quotes its output)
   * @throws UncheckedIOException as {@link #start(String...)}
   */
  public static RedisSentinel start(ServerOptions options) {
    Objects.requireNonNull(options, "options");
    ServerOptions serverOptions = options.withExtraConfigFirst(options.tls()
        ? TLS_REPLICATION_CONFIG : REPLICATION_CONFIG);
    long started = System.nanoTime();
    List<RedisServer> servers = new ArrayList<>();
    List<SentinelProcess> sentinels = new ArrayList<>();
    try {
      RedisServer primary = RedisServer.start(serverOptions);
      servers.add(primary);
      ServerOptions replicaOptions = serverOptions.withExtraConfig(
          "--replicaof", primary.host(), Integer.toString(primary.port()));
      for (int i = 0; i < REPLICAS; i++) {
        servers.add(RedisServer.start(replicaOptions));
      }
      // Replicas in sync first: a Sentinel lists the replicas its first INFO of the primary names.
      Polling.await("the replicas to be in sync", AWAIT_TIMEOUT_MILLIS,
          () -> replicationProblem(servers, primary));
      Path binary = binary();
      List<Integer> ports = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < SENTINELS; i++) {
        ports.add(RedisServer.freePort());
        ids.add(randomId());
      }
      ServerOptions sentinelOptions = options.withoutExtraConfig();
      for (int i = 0; i < SENTINELS; i++) {
        SentinelProcess sentinel = new SentinelProcess(binary, sentinelOptions);
        sentinels.add(sentinel);
        sentinel.start(ports.get(i), config(i, ports, ids, servers, sentinelOptions));
      }
      RedisSentinel topology = new RedisSentinel(servers, sentinels);
      topology.awaitHealthy();
      LOG.info("Redis Sentinel ready in {} ms: primary {}, replicas {}, sentinels {}{}",
          Polling.millisSince(started), primary.port(),
          servers.subList(1, servers.size()).stream().map(RedisServer::port)
              .collect(Collectors.toList()),
          sentinels.stream().map(sentinel -> sentinel.port).collect(Collectors.toList()),
          sentinelOptions);
      return topology;
    } catch (RuntimeException e) {
      closeAll(sentinels, servers, e);
      throw e;
    }
  }

  /**
   * Returns the name the Sentinels monitor the primary as: {@code "mymaster"}, as in Redis' own
   * examples. Not "nearcache": Jedis names its Sentinel listener threads after it.
   *
   * @return {@code "mymaster"}
   */
  public String masterName() {
    return MASTER_NAME;
  }

  /**
   * Returns the addresses of the three Sentinels, e.g. for
   * {@code RedisSentinelClient.builder().masterName(masterName()).sentinels(sentinels())}.
   *
   * @return the three addresses, in a new set
   */
  public Set<HostAndPort> sentinels() {
    Set<HostAndPort> addresses = new LinkedHashSet<>();
    for (SentinelProcess sentinel : sentinels) {
      addresses.add(new HostAndPort(HOST, sentinel.port));
    }
    return addresses;
  }

  /**
   * Runs {@code action} on a short-lived connection of the kit's own to each Sentinel in turn
   * (over TLS and as {@value ServerOptions#ADMIN_USER} when the options say so), e.g. to give
   * the Sentinels a user of their own with {@code ACL SETUSER}.
   *
   * @param action what to do on each Sentinel's connection; it must not keep the connection
   * @throws NullPointerException if {@code action} is null
   * @throws JedisException if a Sentinel does not answer or refuses a command; the Sentinels
   *     after it are not visited
   */
  public void onEachSentinel(Consumer<? super Jedis> action) {
    Objects.requireNonNull(action, "action");
    for (SentinelProcess sentinel : sentinels) {
      try (Jedis jedis = sentinel.jedis()) {
        action.accept(jedis);
      }
    }
  }

  /**
   * Returns the primary and the two replicas in the order they were started, the first primary
   * first. The list never changes; the roles do, see {@link #primary()}.
   *
   * @return the three servers, in an unmodifiable list
   */
  public List<RedisServer> servers() {
    return servers;
  }

  /**
   * Returns the current primary as the first Sentinel that answers reports it
   * ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}). During a failover Sentinels may disagree; see
   * {@link #awaitPrimaryOtherThan(RedisServer)} and {@link #awaitHealthy()}. The server reported
   * may be dead: Sentinel reports the primary until it has promoted another.
   *
   * @return the primary, one of {@link #servers()}
   * @throws IllegalStateException if no Sentinel answers, or one reports an address that is not
   *     one of {@link #servers()}
   */
  public RedisServer primary() {
    for (SentinelProcess sentinel : sentinels) {
      HostAndPort address = sentinel.primaryAddress();
      if (address != null) {
        return server(address, sentinel);
      }
    }
    throw new IllegalStateException("no Sentinel of " + this + " answers");
  }

  /**
   * Returns the servers other than the current {@link #primary()}, in {@link #servers()} order,
   * whatever their state: a killed one included, and a stale primary that the Sentinels have not
   * yet turned into a replica.
   *
   * @return the two other servers, in a new list
   * @throws IllegalStateException as {@link #primary()} does
   */
  public List<RedisServer> replicas() {
    RedisServer primary = primary();
    return servers.stream().filter(server -> server != primary).collect(Collectors.toList());
  }

  /**
   * Asks a Sentinel for a failover ({@code SENTINEL FAILOVER}) without waiting for the primary to
   * fail or for the others to agree, and waits until every Sentinel reports a new primary and that
   * server reports {@code role:master}, about 1-2 s. Trap: the old primary is not told; it keeps
   * {@code role:master} and accepts writes, which are lost, until a Sentinel sends it
   * {@code REPLICAOF}: Sentinel waits 8 s after it first saw a replica-to-be claim to be a
   * primary, and reads a replica's {@code INFO} only every 10 s, so that happens about 10-12 s
   * after the failover (on Redis 6.2 and 7.0 alike). {@link #awaitHealthy()} waits for it. A
   * server Sentinel reconfigures also has its client connections killed
   * ({@code CLIENT KILL TYPE normal}).
   *
   * @return the new primary
   * @throws redis.clients.jedis.exceptions.JedisDataException if the Sentinel refuses, e.g.
   *     {@code NOGOODSLAVE} when no replica is in sync or {@code INPROG} when a failover is
   *     already in progress
   * @throws IllegalStateException if no Sentinel answers, or the Sentinels do not agree on a new
   *     primary that reports {@code role:master} within 30 s
   */
  public RedisServer failover() {
    RedisServer old = primary();
    long started = System.nanoTime();
    onFirstSentinel(jedis -> jedis.sentinelFailover(MASTER_NAME));
    RedisServer promoted = awaitPrimaryOtherThan(old);
    LOG.info("SENTINEL FAILOVER moved the primary from {} to {} in {} ms", old.port(),
        promoted.port(), Polling.millisSince(started));
    return promoted;
  }

  /**
   * Waits until every Sentinel reports a primary other than {@code old} and that server reports
   * {@code role:master}: after {@code old.kill()} or {@code old.pause()}, about 2-3 s.
   *
   * @param old the primary that is to be replaced, one of {@link #servers()}
   * @return the new primary
   * @throws IllegalArgumentException if {@code old} is not one of {@link #servers()}
   * @throws IllegalStateException if that does not happen within 30 s; the message names what the
   *     Sentinels reported last
   */
  public RedisServer awaitPrimaryOtherThan(RedisServer old) {
    indexOf(old);
    long started = System.nanoTime();
    RedisServer[] promoted = new RedisServer[1];
    Polling.await("the Sentinels to promote a server other than " + old, AWAIT_TIMEOUT_MILLIS,
        () -> {
          List<HostAndPort> reported = new ArrayList<>();
          for (SentinelProcess sentinel : sentinels) {
            HostAndPort address = sentinel.primaryAddress();
            if (address == null) {
              return sentinel + " does not answer";
            }
            reported.add(address);
          }
          if (reported.stream().distinct().count() != 1) {
            return "the Sentinels report different primaries: " + reported;
          }
          RedisServer candidate = server(reported.get(0), sentinels.get(0));
          if (candidate == old) {
            return "the Sentinels still report " + old;
          }
          String role = role(candidate);
          if (!"role:master".equals(role)) {
            return "the Sentinels report " + candidate + ", which reports " + role;
          }
          promoted[0] = candidate;
          return null;
        });
    LOG.debug("{} promoted after {} ms", promoted[0], Polling.millisSince(started));
    return promoted[0];
  }

  /**
   * Waits until the topology has settled: every Sentinel reports the same primary, which reports
   * {@code role:master}; every other server that answers is its replica with
   * {@code master_link_status:up}; and every Sentinel sees the primary, each of those replicas and
   * both other Sentinels without a down or disconnected flag. Killed and paused servers do not
   * count. After {@link #failover()} this waits for the old primary to become a replica, about
   * 10-12 s; after a {@link RedisServer#restart()} of a killed primary, which comes back as an
   * empty primary, it waits as long for a Sentinel to turn it into a replica. After a kill, it
   * returns once the other replica follows the new primary, at once or so.
   *
   * @throws IllegalStateException if the topology does not settle within 30 s; the message names
   *     the last problem seen
   */
  public void awaitHealthy() {
    long started = System.nanoTime();
    Polling.await("the Sentinel topology to settle", AWAIT_TIMEOUT_MILLIS, this::healthProblem);
    LOG.debug("Redis Sentinel topology healthy after {} ms", Polling.millisSince(started));
  }

  /**
   * Stops every Sentinel (SIGTERM, SIGKILL after 5 s), then every server ({@link
   * RedisServer#close()}), and deletes their directories. Idempotent. Everything is stopped even if
   * stopping one fails; the first failure is thrown, with the others suppressed.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeAll(sentinels, servers, null);
  }

  @Override
  public String toString() {
    return "RedisSentinel[servers " + servers + ", sentinels " + sentinels + "]";
  }

  private static String config(int index, List<Integer> ports, List<String> ids,
      List<RedisServer> servers, ServerOptions options) {
    RedisServer primary = servers.get(0);
    List<String> lines = new ArrayList<>(List.of("bind " + HOST, "protected-mode no"));
    lines.addAll(asConfigLines(options.arguments(ports.get(index))));
    if (options.tls()) {
      lines.add("tls-replication yes"); // every link a Sentinel opens is TLS
    }
    lines.addAll(List.of(
        "sentinel myid " + ids.get(index),
        "sentinel monitor " + MASTER_NAME + " " + HOST + " " + primary.port() + " " + QUORUM,
        "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS,
        "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MILLIS,
        "sentinel parallel-syncs " + MASTER_NAME + " " + REPLICAS));
    if (options.acl()) {
      String admin = ServerOptions.ADMIN_USER;
      String password = options.adminPassword();
      lines.addAll(List.of(
          "sentinel auth-user " + MASTER_NAME + " " + admin,
          "sentinel auth-pass " + MASTER_NAME + " " + password,
          "sentinel sentinel-user " + admin,
          "sentinel sentinel-pass " + password));
    }
    for (RedisServer replica : servers.subList(1, servers.size())) {
      lines.add("sentinel known-replica " + MASTER_NAME + " " + HOST + " " + replica.port());
    }
    for (int i = 0; i < ports.size(); i++) {
      if (i != index) {
        lines.add("sentinel known-sentinel " + MASTER_NAME + " " + HOST + " " + ports.get(i) + " "
            + ids.get(i));
      }
    }
    return String.join("\n", lines) + "\n";
  }

  /** redis-server's command-line words, {@code --name value...} each, as config file lines. */
  private static List<String> asConfigLines(List<String> arguments) {
    List<String> lines = new ArrayList<>();
    for (String word : arguments) {
      if (word.startsWith("--")) {
        lines.add(word.substring(2));
      } else {
        lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " " + word);
      }
    }
    return lines;
  }

  /** Null if the servers other than {@code primary} report their link to it up. */
  private static String replicationProblem(List<RedisServer> servers, RedisServer primary) {
    for (RedisServer replica : servers) {
      if (replica == primary) {
        continue;
      }
      String info = info(replica);
      if (info == null) {
        return replica + " does not answer";
      }
      if (!info.contains("master_port:" + primary.port() + "\r\n")
          || !info.contains("master_link_status:up")) {
        return replica + " is not in sync with " + primary + ": " + field(info, "role") + ", "
            + field(info, "master_port") + ", " + field(info, "master_link_status");
      }
    }
    return null;
  }

  private String healthProblem() {
    List<HostAndPort> reported = new ArrayList<>();
    for (SentinelProcess sentinel : sentinels) {
      HostAndPort address = sentinel.primaryAddress();
      if (address == null) {
        return sentinel + " does not answer";
      }
      reported.add(address);
    }
    if (reported.stream().distinct().count() != 1) {
      return "the Sentinels report different primaries: " + reported;
    }
    RedisServer primary = server(reported.get(0), sentinels.get(0));
    String role = role(primary);
    if (!"role:master".equals(role)) {
      return "the Sentinels report " + primary + ", which reports " + (role == null
          ? "nothing" : role);
    }
    List<RedisServer> live = new ArrayList<>();
    for (RedisServer replica : servers) {
      String info = replica == primary ? null : info(replica);
      if (info == null) {
        continue; // the primary, or killed, or paused
      }
      if (!info.contains("master_port:" + primary.port() + "\r\n")
          || !info.contains("master_link_status:up")) {
        return replica + " is not a replica of " + primary + " in sync: " + field(info, "role")
            + ", " + field(info, "master_port") + ", " + field(info, "master_link_status");
      }
      live.add(replica);
    }
    for (SentinelProcess sentinel : sentinels) {
      String problem = sentinel.problemWith(primary, live);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private <T> T onFirstSentinel(Function<? super Jedis, ? extends T> action) {
    JedisConnectionException last = null;
    for (SentinelProcess sentinel : sentinels) {
      try (Jedis jedis = sentinel.jedis()) {
        return action.apply(jedis);
      } catch (JedisConnectionException e) {
        last = e;
      }
    }
    throw new IllegalStateException("no Sentinel of " + this + " answers", last);
  }

  private RedisServer server(HostAndPort address, SentinelProcess reporter) {
    for (RedisServer server : servers) {
      if (server.port() == address.getPort()) {
        return server;
      }
    }
    throw new IllegalStateException(reporter + " reports primary " + address
        + ", not a server of " + this);
  }

  private int indexOf(RedisServer server) {
    Objects.requireNonNull(server, "server");
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i) == server) {
        return i;
      }
    }
    throw new IllegalArgumentException(server + " is not a server of " + this);
  }

  /** The {@code role:} line of INFO replication, or null if the server does not answer. */
  private static String role(RedisServer server) {
    String info = info(server);
    return info == null ? null : field(info, "role");
  }

  /**
   * INFO replication, or null if the server is not running or does not answer twice in a row:
   * a Sentinel that reconfigures a server also kills its client connections
   * ({@code CLIENT KILL TYPE normal}), so one failure may be that.
   */
  private static String info(RedisServer server) {
    for (int attempt = 1; attempt <= 2; attempt++) {
      if (!server.isRunning()) {
        return null;
      }
      try (Jedis jedis = server.jedis(PROBE_TIMEOUT)) {
        return jedis.info("replication");
      } catch (JedisException e) {
        LOG.trace("{} does not answer INFO (attempt {})", server, attempt, e);
      }
    }
    return null;
  }

  private static String field(String info, String name) {
    return info.lines()
        .filter(line -> line.startsWith(name + ":"))
        .findFirst()
        .map(String::strip)
        .orElse("no " + name);
  }

  /**
   * The binary {@link RedisServer} chooses, from the same settings. Not the primary's process
   * executable: Debian's {@code redis-server} is a link to {@code redis-check-rdb}, which picks
   * its mode from the name it is called by. The bundled binary is extracted once more, once.
   */
  private static synchronized Path binary() {
    if (binary == null) {
      binary = RedisServer.selectBinary(System.getProperty(RedisServer.SYSTEM_PROPERTY),
          System.getenv(RedisServer.ENVIRONMENT_VARIABLE));
    }
    return binary;
  }

  private static String randomId() {
    byte[] bytes = new byte[20];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void closeAll(List<SentinelProcess> sentinels, List<RedisServer> servers,
      RuntimeException primary) {
    List<AutoCloseable> order = new ArrayList<>(sentinels);
    List<RedisServer> reversed = new ArrayList<>(servers);
    Collections.reverse(reversed);
    order.addAll(reversed);
    RuntimeException first = primary;
    for (AutoCloseable closeable : order) {
      try {
        closeable.close();
      } catch (Exception e) {
        RuntimeException failure = e instanceof RuntimeException ? (RuntimeException) e
            : new IllegalStateException("cannot close " + closeable, e);
        if (first == null) {
          first = failure;
        } else {
          first.addSuppressed(failure);
        }
      }
    }
    if (first != null && first != primary) {
      throw first;
    }
  }

  /** One {@code redis-server <config> --sentinel} process. */
  private static final class SentinelProcess implements AutoCloseable {

    private static final long STARTUP_TIMEOUT_MILLIS = 10_000;
    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    private static final int PORT_ATTEMPTS = 5;

    private final Path binary;
    private final ServerOptions options;
    private final ProcessDir dir;
    private final Path configFile;
    private final Thread shutdownHook;
    private volatile Process process;
    private int port;
    private boolean closed;

    SentinelProcess(Path binary, ServerOptions options) {
      this.binary = binary;
      this.options = options;
      this.dir = ProcessDir.create("nearcache-sentinel-", "sentinel.log");
      this.configFile = dir.path().resolve("sentinel.conf");
      this.shutdownHook = new Thread(this::destroyProcess, "redis-sentinel-reaper");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts the process on {@code port}, or on another free port if someone took that one, and
     * waits until it answers as a Sentinel.
     */
    synchronized void start(int firstPort, String config) {
      int candidate = firstPort;
      for (int attempt = 1; ; attempt++) {
        if (launch(candidate, config)) {
          return;
        }
        if (attempt == PORT_ATTEMPTS || RedisServer.isBindable(candidate)) {
          throw new IllegalStateException(binary + " --sentinel exited during startup on port "
              + candidate + " with code " + process.exitValue() + " (attempt " + attempt
              + " of " + PORT_ATTEMPTS + "); output tail:\n" + dir.logTail());
        }
        LOG.debug("port {} was taken before the Sentinel could bind it, trying another",
            candidate);
        int taken = candidate;
        candidate = RedisServer.freePort();
        // The others find it at its new address through its hello messages.
        config = config.replace("port " + taken + "\n", "port " + candidate + "\n");
      }
    }

    private boolean launch(int candidate, String config) {
      port = candidate;
      try {
        Files.writeString(configFile, config, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + configFile, e);
      }
      List<String> command = List.of(binary.toString(), configFile.toString(), "--sentinel");
      try {
        process = new ProcessBuilder(command)
            .directory(dir.path().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile().toFile()))
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + command, e);
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_TIMEOUT_MILLIS);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          return false;
        }
        try (Jedis jedis = jedis(PROBE_TIMEOUT)) {
          String info = jedis.info("server");
          if (info.contains("process_id:" + process.pid() + "\r\n")
              && info.contains("redis_mode:sentinel")) {
            return true;
          }
        } catch (JedisException e) {
          // Not listening yet.
        }
        try {
          process.waitFor(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          destroyProcess();
          throw new IllegalStateException("interrupted while waiting for a Sentinel", e);
        }
      }
      destroyProcess();
      throw new IllegalStateException("Sentinel pid " + process.pid() + " did not answer on port "
          + port + " within " + STARTUP_TIMEOUT_MILLIS + " ms; output tail:\n" + dir.logTail());
    }

    Jedis jedis() {
      return jedis(PROBE_TIMEOUT);
    }

    private Jedis jedis(Duration timeout) {
      return new Jedis(new HostAndPort(HOST, port), options.kitConfig((int) timeout.toMillis()));
    }

    /** What this Sentinel reports as the primary's address, or null if it does not answer. */
    HostAndPort primaryAddress() {
      try (Jedis jedis = jedis()) {
        List<String> address = jedis.sentinelGetMasterAddrByName(MASTER_NAME);
        return address == null || address.size() != 2 ? null
            : new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
      } catch (JedisException e) {
        return null;
      }
    }

    /** Null if this Sentinel sees {@code primary}, {@code replicas} and its peers as healthy. */
    String problemWith(RedisServer primary, List<RedisServer> replicas) {
      try (Jedis jedis = jedis()) {
        Map<String, String> master = jedis.sentinelMaster(MASTER_NAME);
        if (!isUp(master.get("flags"), "master")
            || master.get("flags").contains("failover_in_progress")) {
          return this + " flags the primary " + primary + " " + master.get("flags");
        }
        List<Map<String, String>> seen = jedis.sentinelReplicas(MASTER_NAME);
        for (RedisServer replica : replicas) {
          Map<String, String> entry = seen.stream()
              .filter(each -> Integer.toString(replica.port()).equals(each.get("port")))
              .findFirst()
              .orElse(null);
          if (entry == null) {
            return this + " does not know the replica " + replica;
          }
          // Its master-link-status and master-port are as of the Sentinel's last INFO of it,
          // up to 10 s old; the replica's own INFO, checked before, is what counts.
          if (!isUp(entry.get("flags"), "slave")) {
            return this + " flags the replica " + replica + " " + entry.get("flags");
          }
        }
        List<Map<String, String>> peers = jedis.sentinelSentinels(MASTER_NAME);
        List<String> peerFlags = peers.stream()
            .map(peer -> peer.get("port") + " " + peer.get("flags"))
            .sorted(Comparator.naturalOrder())
            .collect(Collectors.toList());
        if (peers.size() != SENTINELS - 1
            || !peers.stream().allMatch(peer -> isUp(peer.get("flags"), "sentinel"))) {
          return this + " sees other Sentinels " + peerFlags;
        }
        return null;
      } catch (JedisException e) {
        return this + " answers " + e;
      }
    }

    /**
     * Whether Sentinel's flags of an instance name {@code role} and none of down or disconnected.
     * Others are fine: {@code master_down} on a peer, for one, is its stale opinion of a primary
     * already replaced, cleared only seconds later.
     */
    private static boolean isUp(String flags, String role) {
      List<String> each = flags == null ? List.of() : List.of(flags.split(","));
      return each.contains(role) && !each.contains("s_down") && !each.contains("o_down")
          && !each.contains("disconnected");
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        Process current = process;
        if (current != null && current.isAlive()) {
          current.destroy();
          if (!awaitExit(current)) {
            LOG.warn("Sentinel on port {} did not exit after SIGTERM, killing it", port);
            current.destroyForcibly();
            if (!awaitExit(current)) {
              throw new IllegalStateException("Sentinel pid " + current.pid() + " on port "
                  + port + " still alive 5 s after SIGKILL");
            }
          }
        }
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
      return "Sentinel[" + HOST + ":" + port + "]";
    }

    private static boolean awaitExit(Process process) {
      try {
        return process.waitFor(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a Sentinel to exit", e);
      }
    }

    private void destroyProcess() {
      Process current = process;
      if (current != null) {
        current.destroyForcibly();
      }
    }
  }
}
