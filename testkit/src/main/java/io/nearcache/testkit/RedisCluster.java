package io.nearcache.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClusterFailoverOption;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A Redis Cluster of six real {@link RedisServer} processes on {@code 127.0.0.1}: three primaries
 * owning the hash slots 0-5460, 5461-10922 and 10923-16383, and one replica per primary, for tests
 * that need a cluster to fail the way it fails in production: a primary killed, frozen or handed
 * over to its replica.
 *
 * <p>The cluster is built with commands sent from Java ({@code CLUSTER SET-CONFIG-EPOCH},
 * {@code ADDSLOTS}, {@code MEET}, {@code REPLICATE}), so it works with the bundled Redis 6.2,
 * which ships no {@code redis-cli}. Every node runs with {@code cluster-node-timeout} 1000 ms, so a
 * dead or frozen primary's replica is promoted about 2 s after the primary stopped answering, and
 * with diskless replication without delay, so a replica (or a node that rejoins) is in sync within
 * milliseconds. A node's cluster state ({@code nodes.conf}) lives in its directory, which outlives
 * {@link RedisServer#kill()} and {@link RedisServer#stop()}: {@link RedisServer#restart()} of a
 * node brings it back with its node id, and it rejoins as a replica of whoever owns its slots now;
 * follow it with {@link #awaitHealthy()}. Restarting a primary before its replica was promoted
 * brings it back empty but still owning its slots, and its replica then copies the empty data set:
 * Redis without persistence loses the data, as it would in production.
 *
 * <p>Redis listens for the cluster bus on the client port plus 10000. {@link RedisServer} picks a
 * free client port but cannot know whether that bus port is free, or at most 65535: a node whose
 * bus port cannot be bound exits at startup, and is started again on another free port, up to 10
 * times. A restarted node needs the same bus port again; if another process took it meanwhile, the
 * restart fails.
 *
 * <p>Queries of the topology ({@link #primaries()}, {@link #primaryOf(int)}, ...) read
 * {@code CLUSTER NODES} of the first node in {@link #nodes()} order that answers, so during a
 * failover they tell what that node believes; call {@link #awaitHealthy()} first for an answer
 * every node agrees on. A node that is killed or {@link RedisServer#pause() paused} does not
 * answer and is skipped, after a 300 ms timeout for a paused one. Lifecycle methods are
 * thread-safe; the topology is not locked, so concurrent failovers see each other's transitions.
 */
public final class RedisCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);

  private static final int SLOTS = 16384;
  private static final int PRIMARIES = 3;
  private static final String NODE_TIMEOUT_MILLIS = "1000";
  private static final List<String> CLUSTER_CONFIG = List.of(
      "--cluster-enabled", "yes",
      "--cluster-config-file", "nodes.conf",
      "--cluster-node-timeout", NODE_TIMEOUT_MILLIS,
      "--repl-diskless-sync", "yes",
      "--repl-diskless-sync-delay", "0");
  /** Generous: building takes about 2 s, an automatic failover about 2-3 s. */
  private static final long AWAIT_TIMEOUT_MILLIS = 15_000;
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(300);
  /** A free client port has a bus port (port + 10000) that is taken or over 65535 ~20% of times. */
  private static final int NODE_ATTEMPTS = 10;
  /** What Redis 6.2 and 7.0 log when they cannot listen on the bus port, or it is over 65535. */
  private static final List<String> BUS_PORT_FAILURES =
      List.of("(cluster), aborting", "port number too high");

  private final List<RedisServer> nodes;
  private final List<String> ids;
  private boolean closed;

  private RedisCluster(List<RedisServer> nodes, List<String> ids) {
    this.nodes = List.copyOf(nodes);
    this.ids = List.copyOf(ids);
  }

  /**
   * Starts a cluster of three primaries and three replicas with the kit's options only; see
   * {@link #start(String...)}.
   *
   * @return the running cluster; close it to stop every node
   */
  public static RedisCluster start() {
    return start(new String[0]);
  }

  /**
   * Starts six nodes, builds the cluster and waits until it is {@link #awaitHealthy() healthy},
   * which takes about 2 s: a primary does not report {@code cluster_state:ok} before it has run
   * for 2 s.
   *
   * @param extraConfig redis-server command-line options for every node, appended after the kit's
   *     own, one word per argument, as for {@link RedisServer#start(String...)}; later options win
   * @return the running cluster; close it to stop every node
   * @throws NullPointerException if {@code extraConfig} or one of its elements is null
   * @throws IllegalStateException if a node cannot be started (see {@link RedisServer#start}; after
   *     10 attempts when its bus port is the problem), or the cluster is not healthy within 15 s
   *     (the message names what was missing last); every node started is stopped
   * @throws JedisException if a node rejects or does not answer a command building the cluster
   */
  public static RedisCluster start(String... extraConfig) {
    return start(ServerOptions.defaults().withExtraConfig(extraConfig));
  }

  /**
   * Starts a cluster as {@link #start(String...)} does, every node with {@code options}: TLS, ACL
   * users and extra options. The kit's cluster options come before the extra options, which
   * still win. A cluster over TLS needs {@code --tls-cluster yes --tls-replication yes} among the
   * extra options, since the nodes listen on TLS only; with ACL users, replicas authenticate to
   * their primaries as {@value ServerOptions#ADMIN_USER}, and the kit does for everything it does.
   *
   * @param options how to start every node
   * @return the running cluster; close it to stop every node
   * @throws NullPointerException if {@code options} is null
   * @throws IllegalStateException as {@link #start(String...)}
   * @throws JedisException as {@link #start(String...)}
   */
  public static RedisCluster start(ServerOptions options) {
    ServerOptions config = options.withExtraConfigFirst(CLUSTER_CONFIG);
    long started = System.nanoTime();
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 2 * PRIMARIES; i++) {
        nodes.add(startNode(config));
      }
      List<String> ids = nodes.stream()
          .map(node -> node.withJedis(Jedis::clusterMyId))
          .collect(Collectors.toList());
      RedisCluster cluster = new RedisCluster(nodes, ids);
      cluster.build();
      LOG.info("Redis cluster ready in {} ms: primaries {}, replicas {}",
          millisSince(started), ports(cluster.primaries()), ports(cluster.replicas()));
      return cluster;
    } catch (RuntimeException e) {
      closeAll(nodes, e);
      throw e;
    }
  }

  /**
   * Returns the six nodes in the order they were started: the three primaries, then their
   * replicas in the same order. The list never changes; the roles do, see {@link #primaries()}.
   *
   * @return the six nodes, in an unmodifiable list
   */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /**
   * Returns the addresses of all six nodes, in {@link #nodes()} order, e.g. for
   * {@code RedisClusterClient.builder().nodes(cluster.seeds())}; a client needs only one that
   * answers.
   *
   * @return the six addresses, in a new set
   */
  public Set<HostAndPort> seeds() {
    Set<HostAndPort> seeds = new LinkedHashSet<>();
    for (RedisServer node : nodes) {
      seeds.add(new HostAndPort(node.host(), node.port()));
    }
    return seeds;
  }

  /**
   * Returns the cluster node id of {@code node}, 40 hex characters; it stays the same across
   * {@link RedisServer#restart()}.
   *
   * @param node one of {@link #nodes()}
   * @return the node id
   * @throws IllegalArgumentException if {@code node} is not a node of this cluster
   */
  public String nodeId(RedisServer node) {
    return ids.get(indexOf(node));
  }

  /**
   * Returns the nodes that own hash slots now, ordered by the first slot they own: element 0 owns
   * slot 0. After a failover the promoted replica takes the place of its primary.
   *
   * @return the primaries, as the first node that answers sees them
   * @throws IllegalStateException if no node answers
   */
  public List<RedisServer> primaries() {
    View view = view();
    return view.entries.stream()
        .filter(entry -> !entry.slots.isEmpty())
        .sorted(Comparator.comparingInt(entry -> entry.slots.get(0)[0]))
        .map(entry -> node(entry.id))
        .collect(Collectors.toList());
  }

  /**
   * Returns the nodes that are replicas now, ordered as their primaries in {@link #primaries()};
   * a killed replica is still one.
   *
   * @return the replicas, as the first node that answers sees them
   * @throws IllegalStateException if no node answers
   */
  public List<RedisServer> replicas() {
    View view = view();
    List<String> primaryIds = view.entries.stream()
        .filter(entry -> !entry.slots.isEmpty())
        .sorted(Comparator.comparingInt(entry -> entry.slots.get(0)[0]))
        .map(entry -> entry.id)
        .collect(Collectors.toList());
    return view.entries.stream()
        .filter(Entry::isReplica)
        .sorted(Comparator.comparingInt((Entry entry) -> {
          int index = primaryIds.indexOf(entry.masterId);
          return index < 0 ? Integer.MAX_VALUE : index;
        }).thenComparingInt(entry -> ids.indexOf(entry.id)))
        .map(entry -> node(entry.id))
        .collect(Collectors.toList());
  }

  /**
   * Returns the node that owns {@code slot} now.
   *
   * @param slot the hash slot, 0 to 16383
   * @return the slot's owner
   * @throws IllegalArgumentException if {@code slot} is not between 0 and 16383
   * @throws IllegalStateException if no node answers, or the answering node knows no owner of the
   *     slot
   */
  public RedisServer primaryOf(int slot) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("slot must be between 0 and " + (SLOTS - 1) + ": " + slot);
    }
    View view = view();
    return view.entries.stream()
        .filter(entry -> entry.owns(slot))
        .findFirst()
        .map(entry -> node(entry.id))
        .orElseThrow(() -> new IllegalStateException(
            "slot " + slot + " has no owner in CLUSTER NODES of " + view.from));
  }

  /**
   * Returns the node that owns the slot of {@code key} now, the slot computed as Redis does
   * ({@code {hash tags}} included).
   *
   * @param key the key, not {@code null}
   * @return the owner of the key's slot
   * @throws IllegalStateException as {@link #primaryOf(int)} does
   */
  public RedisServer primaryOf(String key) {
    Objects.requireNonNull(key, "key");
    return primaryOf(JedisClusterCRC16.getSlot(key));
  }

  /**
   * Returns the replica of {@code primary} now; if there are several (never in the cluster as
   * built), the first in {@link #nodes()} order.
   *
   * @param primary the primary, one of {@link #nodes()}
   * @return its replica
   * @throws IllegalArgumentException if {@code primary} is not a node of this cluster
   * @throws IllegalStateException if no node answers, or the answering node knows no replica of
   *     {@code primary} (also when {@code primary} is a replica itself)
   */
  public RedisServer replicaOf(RedisServer primary) {
    String id = nodeId(primary);
    View view = view();
    return view.entries.stream()
        .filter(entry -> entry.isReplica() && id.equals(entry.masterId))
        .min(Comparator.comparingInt(entry -> ids.indexOf(entry.id)))
        .map(entry -> node(entry.id))
        .orElseThrow(() -> new IllegalStateException(
            primary + " has no replica in CLUSTER NODES of " + view.from));
  }

  /**
   * Has {@code replica} take over from its primary with {@code CLUSTER FAILOVER}, the coordinated
   * manual failover: the primary stops accepting writes, the replica catches up with it and is
   * promoted, and the old primary becomes its replica, so no acknowledged write is lost. Returns
   * once {@code replica} owns the slots and the cluster is {@link #awaitHealthy() healthy}, within
   * milliseconds usually. Needs a primary that answers; for a dead or paused one use
   * {@link #failover(RedisServer, ClusterFailoverOption)}.
   *
   * @param replica the replica to promote, one of {@link #nodes()}
   * @throws IllegalArgumentException if {@code replica} is not a node of this cluster
   * @throws redis.clients.jedis.exceptions.JedisDataException if {@code replica} is a primary
   * @throws IllegalStateException if {@code replica} is not a healthy primary within 15 s (for
   *     one, when its primary does not answer: Redis gives up a manual failover after 5 s)
   */
  public void failover(RedisServer replica) {
    failover(replica, null);
  }

  /**
   * Has {@code replica} take over from its primary with {@code CLUSTER FAILOVER FORCE} or
   * {@code TAKEOVER}, for a primary that is dead or {@link RedisServer#pause() paused}; otherwise
   * as {@link #failover(RedisServer)}. {@code FORCE} skips the handshake with the primary but
   * still needs the votes of a majority of primaries; {@code TAKEOVER} needs no vote at all. Writes
   * the old primary acknowledged but had not yet replicated are lost. A paused old primary, once
   * {@link RedisServer#resume() resumed}, still accepts writes until it learns of the new owner of
   * its slots, within milliseconds, then becomes its replica.
   *
   * @param replica the replica to promote, one of {@link #nodes()}
   * @param option {@code FORCE} or {@code TAKEOVER}
   * @throws IllegalArgumentException if {@code replica} is not a node of this cluster
   * @throws redis.clients.jedis.exceptions.JedisDataException if {@code replica} is a primary
   * @throws IllegalStateException if {@code replica} is not a healthy primary within 15 s
   */
  public void failover(RedisServer replica, ClusterFailoverOption option) {
    String id = nodeId(replica);
    String command = "CLUSTER FAILOVER" + (option == null ? "" : " " + option);
    long started = System.nanoTime();
    replica.withJedis(jedis -> option == null ? jedis.clusterFailover()
        : jedis.clusterFailover(option));
    await(command + " of " + replica, () -> {
      View own = probe(replica);
      if (own == null) {
        return replica + " does not answer";
      }
      Entry myself = own.entry(id);
      if (myself == null || myself.isReplica() || myself.slots.isEmpty()) {
        return replica + " is not a primary yet: " + (myself == null ? "?" : myself.line);
      }
      return healthProblem();
    });
    LOG.info("{} of {} done in {} ms", command, replica, millisSince(started));
  }

  /**
   * Waits until the cluster is healthy: every node that answers reports {@code cluster_state:ok};
   * they all agree on the owner of every one of the 16384 slots; every owner answers; every other
   * node that answers is a replica of an owner with {@code master_link_status:up}; and no node
   * that answers flags another that answers as failing. Killed and paused nodes do not count: after
   * a primary's {@link RedisServer#kill()} this returns once its replica is promoted, about 2-3 s
   * later, and after a {@link RedisServer#restart()} once the node has rejoined and synced.
   *
   * @throws IllegalStateException if the cluster is not healthy within 15 s; the message names the
   *     last problem seen, e.g. which node disagrees or which slots belong to a node that does not
   *     answer
   */
  public void awaitHealthy() {
    long started = System.nanoTime();
    await("the cluster to become healthy", this::healthProblem);
    LOG.debug("Redis cluster healthy after {} ms", millisSince(started));
  }

  /**
   * Deletes every key on every primary ({@code FLUSHALL}); replicas follow.
   *
   * @throws IllegalStateException if no node answers
   * @throws JedisException if a primary does not answer
   */
  public void flushAll() {
    for (RedisServer primary : primaries()) {
      primary.flushAll();
    }
  }

  /**
   * {@link RedisServer#close() Closes} every node, replicas first, so that no primary waits for
   * one. Idempotent. Every node is closed even if closing one fails; the first failure is thrown,
   * with the others suppressed.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<RedisServer> order = new ArrayList<>(nodes);
    Collections.reverse(order);
    closeAll(order, null);
  }

  @Override
  public String toString() {
    return "RedisCluster" + nodes;
  }

  private void build() {
    for (int i = 0; i < nodes.size(); i++) {
      long epoch = i + 1;
      // Distinct epochs up front, as redis-cli does, spare the cluster resolving collisions.
      nodes.get(i).withJedis(jedis -> jedis.clusterSetConfigEpoch(epoch));
    }
    for (int p = 0; p < PRIMARIES; p++) {
      int[] slots = IntStream.range(firstSlot(p), firstSlot(p + 1)).toArray();
      // ADDSLOTSRANGE would be shorter, but Redis 6.2 does not have it.
      nodes.get(p).withJedis(jedis -> jedis.clusterAddSlots(slots));
    }
    nodes.get(0).withJedis(jedis -> {
      for (RedisServer other : nodes.subList(1, nodes.size())) {
        jedis.clusterMeet(other.host(), other.port());
      }
      return null;
    });
    await("every node to know the other " + (nodes.size() - 1), this::meetProblem);
    for (int r = PRIMARIES; r < nodes.size(); r++) {
      String primaryId = ids.get(r - PRIMARIES);
      nodes.get(r).withJedis(jedis -> jedis.clusterReplicate(primaryId));
    }
    await("the new cluster to become healthy", this::healthProblem);
  }

  /** Slot ranges as redis-cli makes them: 0-5460, 5461-10922, 10923-16383. */
  private static int firstSlot(int primary) {
    return (int) Math.round((double) primary * SLOTS / PRIMARIES);
  }

  private String meetProblem() {
    for (RedisServer node : nodes) {
      View view = probe(node);
      if (view == null) {
        return node + " does not answer";
      }
      for (String id : ids) {
        Entry entry = view.entry(id);
        if (entry == null || entry.flags.contains("handshake") || entry.flags.contains("noaddr")) {
          return node + " does not know " + id + " yet: " + view.nodes;
        }
      }
    }
    return null;
  }

  /** Null if healthy, else the first problem found, for the timeout message. */
  private String healthProblem() {
    Map<String, View> live = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      RedisServer node = nodes.get(i);
      if (!node.isRunning()) {
        continue;
      }
      State state;
      try (Jedis jedis = node.jedis(PROBE_TIMEOUT)) {
        state = new State(jedis.clusterInfo(), new View(node, jedis.clusterNodes()),
            jedis.info("replication"));
      } catch (JedisConnectionException e) {
        continue; // paused, or just killed
      } catch (JedisException e) {
        return node + " answers with an error: " + e.getMessage();
      }
      if (!state.info.contains("cluster_state:ok")) {
        return node + " reports " + field(state.info, "cluster_state");
      }
      live.put(ids.get(i), state.view);
      Entry myself = state.view.entry(ids.get(i));
      if (myself != null && myself.isReplica()
          && !state.replication.contains("master_link_status:up")) {
        return node + " is a replica with " + field(state.replication, "master_link_status");
      }
    }
    if (live.isEmpty()) {
      return "no node answers";
    }
    View first = live.values().iterator().next();
    String owners = first.owners();
    for (View view : live.values()) {
      if (!view.owners().equals(owners)) {
        return view.from + " and " + first.from + " disagree on slot owners: " + view.owners()
            + " vs " + owners;
      }
    }
    int covered = first.entries.stream()
        .flatMap(entry -> entry.slots.stream())
        .mapToInt(range -> range[1] - range[0] + 1)
        .sum();
    if (covered != SLOTS) {
      return "only " + covered + " of " + SLOTS + " slots have an owner: " + owners;
    }
    for (Entry entry : first.entries) {
      if (!entry.slots.isEmpty() && !live.containsKey(entry.id)) {
        return "slots of " + node(entry.id) + " (" + entry.id + ") do not move although it does"
            + " not answer";
      }
    }
    for (Map.Entry<String, View> each : live.entrySet()) {
      Entry myself = first.entry(each.getKey());
      if (myself == null) {
        return first.from + " does not know " + node(each.getKey());
      }
      if (myself.slots.isEmpty()) {
        Entry primary = first.entry(myself.masterId);
        if (!myself.isReplica() || primary == null || primary.slots.isEmpty()) {
          return node(myself.id) + " owns no slots and replicates no owner: " + myself.line;
        }
      }
      for (String other : live.keySet()) {
        Entry seen = each.getValue().entry(other);
        if (seen == null || seen.isFailing()) {
          return each.getValue().from + " sees " + node(other) + " as "
              + (seen == null ? "unknown" : seen.line);
        }
      }
    }
    return null;
  }

  /** The CLUSTER NODES of the first node that answers. */
  private View view() {
    for (RedisServer node : nodes) {
      View view = probe(node);
      if (view != null) {
        return view;
      }
    }
    throw new IllegalStateException("no node of " + this + " answers");
  }

  /** The CLUSTER NODES of {@code node}, or null if it is not running or does not answer. */
  private static View probe(RedisServer node) {
    if (!node.isRunning()) {
      return null;
    }
    try (Jedis jedis = node.jedis(PROBE_TIMEOUT)) {
      return new View(node, jedis.clusterNodes());
    } catch (JedisException e) {
      return null;
    }
  }

  private RedisServer node(String id) {
    int index = ids.indexOf(id);
    if (index < 0) {
      throw new IllegalStateException("node id " + id + " is not a node of " + this);
    }
    return nodes.get(index);
  }

  private int indexOf(RedisServer node) {
    Objects.requireNonNull(node, "node");
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) == node) {
        return i;
      }
    }
    throw new IllegalArgumentException(node + " is not a node of " + this);
  }

  private static RedisServer startNode(ServerOptions options) {
    for (int attempt = 1; ; attempt++) {
      try {
        return RedisServer.start(options);
      } catch (IllegalStateException e) {
        if (attempt == NODE_ATTEMPTS || !isBusPortFailure(e)) {
          throw e;
        }
        LOG.debug("cluster bus port of a new node not usable (attempt {} of {}), trying another",
            attempt, NODE_ATTEMPTS);
      }
    }
  }

  /** Whether {@code e}, thrown by {@link RedisServer#start}, quotes a bus port failure. */
  static boolean isBusPortFailure(IllegalStateException e) {
    String message = String.valueOf(e.getMessage());
    return BUS_PORT_FAILURES.stream().anyMatch(message::contains);
  }

  private static void await(String what, Supplier<String> problem) {
    Polling.await(what, AWAIT_TIMEOUT_MILLIS, problem);
  }

  private static void closeAll(List<RedisServer> servers, RuntimeException primary) {
    RuntimeException first = primary;
    for (RedisServer server : servers) {
      try {
        server.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null && first != primary) {
      throw first;
    }
  }

  private static String field(String info, String name) {
    return info.lines()
        .filter(line -> line.startsWith(name + ":"))
        .findFirst()
        .map(String::strip)
        .orElse("no " + name);
  }

  private static List<Integer> ports(List<RedisServer> servers) {
    return servers.stream().map(RedisServer::port).collect(Collectors.toList());
  }

  private static long millisSince(long nanos) {
    return Polling.millisSince(nanos);
  }

  /** What one node answered to CLUSTER INFO, CLUSTER NODES and INFO replication. */
  private static final class State {
    final String info;
    final View view;
    final String replication;

    State(String info, View view, String replication) {
      this.info = info;
      this.view = view;
      this.replication = replication;
    }
  }

  /** One node's answer to CLUSTER NODES. */
  private static final class View {
    final RedisServer from;
    final String nodes;
    final List<Entry> entries;

    View(RedisServer from, String nodes) {
      this.from = from;
      this.nodes = nodes;
      this.entries = nodes.lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty())
          .map(Entry::parse)
          .collect(Collectors.toList());
    }

    Entry entry(String id) {
      return entries.stream().filter(entry -> entry.id.equals(id)).findFirst().orElse(null);
    }

    /** Slot ranges and their owners, e.g. {@code "0-5460=<id> 5461-10922=<id> ..."}. */
    String owners() {
      return entries.stream()
          .flatMap(entry -> entry.slots.stream().map(range -> new Object[] {range, entry.id}))
          .sorted(Comparator.comparingInt(pair -> ((int[]) pair[0])[0]))
          .map(pair -> ((int[]) pair[0])[0] + "-" + ((int[]) pair[0])[1] + "=" + pair[1])
          .collect(Collectors.joining(" "));
    }
  }

  /**
   * One line of CLUSTER NODES: {@code <id> <ip:port@busport[,hostname]> <flags> <master id or ->
   * <ping-sent> <pong-recv> <config-epoch> <link-state> <slot or range>...}.
   */
  private static final class Entry {
    final String line;
    final String id;
    final Set<String> flags;
    final String masterId;
    final List<int[]> slots;

    private Entry(String line, String id, Set<String> flags, String masterId, List<int[]> slots) {
      this.line = line;
      this.id = id;
      this.flags = flags;
      this.masterId = masterId;
      this.slots = slots;
    }

    static Entry parse(String line) {
      String[] fields = line.split(" ");
      if (fields.length < 8) {
        throw new IllegalStateException("unexpected CLUSTER NODES line: " + line);
      }
      List<int[]> slots = new ArrayList<>();
      // Slots being migrated ("[slot->-id]", "[slot-<-id]") are still their owner's; skip them.
      for (String slot : Arrays.asList(fields).subList(8, fields.length)) {
        if (slot.startsWith("[")) {
          continue;
        }
        int dash = slot.indexOf('-');
        slots.add(dash < 0
            ? new int[] {Integer.parseInt(slot), Integer.parseInt(slot)}
            : new int[] {Integer.parseInt(slot.substring(0, dash)),
                Integer.parseInt(slot.substring(dash + 1))});
      }
      slots.sort(Comparator.comparingInt(range -> range[0]));
      return new Entry(line, fields[0], Set.of(fields[2].split(",")), fields[3], slots);
    }

    boolean isReplica() {
      return flags.contains("slave");
    }

    boolean isFailing() {
      return flags.contains("fail") || flags.contains("fail?");
    }

    boolean owns(int slot) {
      return slots.stream().anyMatch(range -> range[0] <= slot && slot <= range[1]);
    }
  }
}
