package io.nearcache;

import io.nearcache.internal.ClientServices;
import io.nearcache.internal.ClientThreads;
import io.nearcache.internal.ConsistencySampler;
import io.nearcache.internal.Contact;
import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.WriteRetries;
import io.nearcache.internal.invalidation.Announcer;
import io.nearcache.internal.invalidation.InvalidationLog;
import io.nearcache.internal.invalidation.Subscriptions;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.redis.ClientSettings;
import io.nearcache.internal.redis.ClusterRedis;
import io.nearcache.internal.redis.Permissions;
import io.nearcache.internal.redis.RedisDeployment;
import io.nearcache.internal.redis.SentinelRedis;
import io.nearcache.internal.redis.SlotGroupCheck;
import io.nearcache.internal.redis.StandaloneRedis;
import io.nearcache.internal.redis.SupportedVersions;
import io.nearcache.internal.resilience.Breakers;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The one object that owns nearcache's resources for an application: the Redis connection pool, one
 * subscriber connection and thread per server that owns slot groups ({@code
 * nearcache-subscriber-<prefix>@<server>}: one on a standalone server or behind Sentinel, one per
 * primary on a Cluster), a maintenance thread ({@code nearcache-maintenance-<prefix>}: PING on the
 * subscriptions, the watchdog, following the topology, repairs, retries) and a clock thread ({@code
 * nearcache-clock-<prefix>}, waking every millisecond) that advances the time L1 expiry reads and
 * runs the L1 caches' Caffeine maintenance, shared by every cache it creates. Make one per
 * application and Redis, share it, close it once on shutdown.
 *
 * <pre>{@code
 * try (NearCacheClient client = NearCacheClient.builder()
 *         .redisUri("redis://127.0.0.1:6379")
 *         .keyPrefix("shop")
 *         .build()) {
 *     NearCache<String, Product> products = client.cache("product",
 *             CacheSpec.parse("localMaxSize=10000,localTtl=30s,remoteTtl=5m"),
 *             new KryoSerializer<>(Product.class));
 *     Product p = products.get("42", id -> repository.load(id));
 * }
 * }</pre>
 *
 * <p>Lifecycle: {@link Builder#build()} connects, checks the Redis version, and waits (bounded) for
 * the subscription, so that invalidations published right after it are heard; if Redis cannot be
 * reached it logs a warning and keeps trying in the background. {@link #close()} is idempotent: it
 * refuses new work, makes one last attempt at invalidations still waiting for Redis, stops the
 * subscriber, maintenance and clock threads (bounded waits), and closes the pool if the client
 * created it. A Jedis client passed to {@code Builder.jedis(...)} stays the caller's and is never
 * closed here; the subscribers hold connections of its pools while the client is open. After close,
 * every method of the client and its caches throws {@link IllegalStateException}.
 */
public final class NearCacheClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NearCacheClient.class);
  /** Consecutive Redis failures that open the circuit breaker. */
  private static final int BREAKER_FAILURES = 5;
  /** How long an open breaker refuses Redis calls before it lets a probe through. */
  private static final Duration BREAKER_COOL_DOWN = Duration.ofSeconds(1);
  /** How often invalidations that could not reach Redis are retried. */
  private static final Duration RETRY_INTERVAL = Duration.ofMillis(100);
  /** How often the subscriber connection is asked for a PONG. */
  private static final Duration PING_INTERVAL = Duration.ofMillis(500);
  /** Silence after which the subscription counts as dead. */
  private static final Duration SILENCE_TIMEOUT = Duration.ofSeconds(2);
  /** How often a due repair is tried while groups wait for it. */
  private static final Duration TICK = Duration.ofMillis(50);
  /** The shortest pause between two runs of the maintenance, whatever is due. */
  private static final Duration MIN_PAUSE = Duration.ofMillis(10);
  /** How often the consistency sampler runs, when on; it spreads its rate over the runs. */
  private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(100);

  private final String keyPrefix;
  private final String instanceId;
  private final RedisDeployment redis;
  private final SlotGroups groups;
  /**
   * Whether Redis takes {@code SET NX GET} (7.0 and later), as read at {@code build()}; false if
   * it did not answer then, and the scripts that do the same on 6.2 run instead.
   */
  private final boolean setNxGet;
  private final Breakers breakers;
  private final Announcer announcer;
  private final Subscriptions subscriptions;
  private final Contact contact;
  private final WriteRetries retries;
  private final ClientThreads threads;
  private final ClientServices services;
  private final ConcurrentHashMap<String, DefaultNearCache<?, ?>> caches =
      new ConcurrentHashMap<>();
  private final List<Consumer<Duration>> probeListeners = new CopyOnWriteArrayList<>();
  /** When the next PING is due; read and written by the maintenance thread only. */
  private long nextPingAt = System.nanoTime();
  private volatile boolean closed;

  /** Wires the parts; {@link Builder#build()} starts the subscriptions. */
  private NearCacheClient(String keyPrefix, String instanceId, RedisDeployment redis,
      SlotGroups groups, boolean setNxGet, int maxPendingInvalidations, int samplesPerSecond,
      Executor refresher) {
    this.keyPrefix = keyPrefix;
    this.instanceId = instanceId;
    this.redis = redis;
    this.groups = groups;
    this.setNxGet = setNxGet;
    this.threads = new ClientThreads(keyPrefix, instanceId);
    this.retries = new WriteRetries(maxPendingInvalidations, threads::wakeTick);
    this.breakers = new Breakers(keyPrefix + "/" + instanceId, BREAKER_FAILURES,
        BREAKER_COOL_DOWN, groups, lost -> contact().lost(lost, "Redis failing"));
    // Unique per client object, so that a client skips exactly its own changes even when two
    // clients were given the same instance id.
    String senderId = instanceId + "/" + UUID.randomUUID();
    this.announcer = new Announcer(redis, groups, keyPrefix, senderId);
    this.contact = new Contact(instanceId, senderId,
        new InvalidationLog(redis.commands(), keyPrefix), redis, breakers, caches, groups,
        threads::wakeTick);
    this.subscriptions = new Subscriptions(redis, groups, keyPrefix, contact, SILENCE_TIMEOUT,
        this::probeAnswered);
    contact.watch(subscriptions);
    this.services = new ClientServices(contact, retries, threads.clock(),
        threads.l1Maintenance(), () -> !closed, groups,
        refresher != null ? refresher : threads.refresher());
    if (samplesPerSecond > 0) {
      ConsistencySampler sampler = new ConsistencySampler(caches.values(), samplesPerSecond,
          Builder.SAMPLE_BOUND);
      threads.every(SAMPLE_INTERVAL, sampler::run);
    }
  }

  private Contact contact() {
    return contact;
  }

  /**
   * The client's maintenance, on its maintenance thread: redoes queued invalidations, sends the
   * subscriptions' PING when due, lets {@link Contact} watch and repair.
   *
   * @return how many nanoseconds from now it has work again: an idle client wakes for the PING
   *     only
   */
  private long maintain() {
    if (retries.size() > 0) {
      retries.retry();
    }
    long now = System.nanoTime();
    if (now - nextPingAt >= 0) {
      subscriptions.ping();
      nextPingAt = now + PING_INTERVAL.toNanos();
    }
    long due = Math.min(nextPingAt - now, contact.tick(TICK.toNanos()));
    if (retries.size() > 0) {
      due = Math.min(due, RETRY_INTERVAL.toNanos());
    }
    return Math.max(due, MIN_PAUSE.toNanos());
  }

  /**
   * Returns a builder; {@link Builder#keyPrefix} and a Redis source are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the cache {@code name} with string keys.
   *
   * @param <V> the value type
   * @param name the cache's name, {@code [A-Za-z0-9_.-]{1,64}}, unique within this client
   * @param spec the cache's configuration
   * @param serializer turns values into bytes for Redis
   * @return the cache, thread-safe, living as long as this client
   * @see #cache(String, CacheSpec, KeyCodec, Serializer)
   */
  public <V> NearCache<String, V> cache(String name, CacheSpec spec, Serializer<V> serializer) {
    return cache(name, spec, KeyCodec.strings(), serializer);
  }

  /**
   * Creates the cache {@code name}. Every instance of the application must give a cache the same
   * name, key codec and serializer; its spec may differ per instance (L1 sizes, for example).
   *
   * @param <K> the key type
   * @param <V> the value type
   * @param name the cache's name, {@code [A-Za-z0-9_.-]{1,64}}, unique within this client
   * @param spec the cache's configuration
   * @param keyCodec turns keys into their canonical strings
   * @param serializer turns values into bytes for Redis
   * @return the cache, thread-safe, living as long as this client
   * @throws NullPointerException if any argument is null
   * @throws IllegalArgumentException if the name breaks the naming rule
   * @throws IllegalStateException if this client already has a cache of that name, or is closed
   */
  public <K, V> NearCache<K, V> cache(String name, CacheSpec spec, KeyCodec<K> keyCodec,
      Serializer<V> serializer) {
    return create(name, spec, keyCodec, serializer, null);
  }

  /**
   * Creates the cache {@code name} whose values carry tags, for {@link NearCache#invalidateTag}: a
   * listing page, for example, tagged with the ids of the products it shows, so that a price
   * change invalidates the product and exactly the listings showing it. Otherwise as {@link
   * #cache(String, CacheSpec, KeyCodec, Serializer)}; every instance must give the cache the same
   * tag function.
   *
   * <p>The function runs once per loaded or written value (never on an L1 hit). A tagged value
   * costs L1 more heap and its hit more time than an untagged one (docs/configuration.md gives
   * the measured figures: about 440 bytes more for two tags), and its L2 frame carries its tags. A
   * load of a tagged value that races a tag invalidation is kept out of both tiers.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @param name the cache's name, {@code [A-Za-z0-9_.-]{1,64}}, unique within this client
   * @param spec the cache's configuration
   * @param keyCodec turns keys into their canonical strings
   * @param serializer turns values into bytes for Redis
   * @param tagsOf the tags of a value: non-empty strings without U+0000, at most 65,535 of them;
   *     it must not return {@code null}, and an exception it throws reaches the caller of the read
   *     or write that called it
   * @return the cache, thread-safe, living as long as this client
   * @throws NullPointerException if any argument is null
   * @throws IllegalArgumentException if the name breaks the naming rule
   * @throws IllegalStateException if this client already has a cache of that name, or is closed
   */
  public <K, V> NearCache<K, V> cache(String name, CacheSpec spec, KeyCodec<K> keyCodec,
      Serializer<V> serializer, Function<? super V, ? extends Collection<String>> tagsOf) {
    return create(name, spec, keyCodec, serializer, Objects.requireNonNull(tagsOf, "tagsOf"));
  }

  private <K, V> NearCache<K, V> create(String name, CacheSpec spec, KeyCodec<K> keyCodec,
      Serializer<V> serializer, Function<? super V, ? extends Collection<String>> tagsOf) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(keyCodec, "keyCodec");
    Objects.requireNonNull(serializer, "serializer");
    ensureOpen();
    KeyLayout layout = new KeyLayout(keyPrefix, name, groups);
    DefaultNearCache<K, V> cache = new DefaultNearCache<>(name, spec, keyCodec, serializer, tagsOf,
        new RemoteStore(redis.commands(), redis.spansGroups(), setNxGet, breakers, announcer, name,
            layout, spec),
        services);
    if (caches.putIfAbsent(name, cache) != null) {
      throw new IllegalStateException("cache '" + name + "' already exists in this client");
    }
    return cache;
  }

  /**
   * Whether this client is serving without Redis now, for some keys at least: a circuit breaker
   * opened after repeated Redis failures and is cooling down. There is one per server that owns
   * slot groups (one in all, but on a Cluster), so on a Cluster a failing shard turns Redis off
   * only for the keys it owns. Reads of those keys go straight to their loaders. For health
   * checks and dashboards.
   *
   * @return {@code true} from a breaker opening until a probe finds its Redis answering again
   */
  public boolean isDegraded() {
    return breakers.anyOpen();
  }

  /**
   * Whether this client hears every change now: subscribed to every server that owns slot groups
   * and caught up on what it missed while it was not. While not, L1 is neither served nor filled
   * for the groups concerned, and their reads go to Redis: correct, but slower. For health checks
   * and dashboards; one volatile read.
   *
   * @return {@code false} from a lost subscription, a silent server or an open circuit breaker
   *     until the repair after it completes
   */
  public boolean isInContact() {
    return contact.trusted();
  }

  /**
   * Invalidations this client made while Redis could not take them, kept to be redone when it is
   * back: one per key, and one per cache whose keys overflowed {@link
   * Builder#maxPendingInvalidations}. While above zero, other nodes may still serve the values
   * they invalidate. For health checks and metrics.
   *
   * @return the count now, never negative
   */
  public int pendingInvalidations() {
    return retries.size();
  }

  /**
   * Calls {@code listener} with the round trip of each liveness probe, about every 500 ms per
   * subscriber connection: the time from a PING sent on the connection until its answer arrived,
   * queued behind every change Redis had for this client then. It is how long a change published
   * at that moment took to arrive here: the propagation lag as this client sees it, for a timer
   * or a distribution (nearcache-micrometer records it as {@code nearcache.client.probe.lag}).
   * Called on a subscriber thread, so it must be quick; what it throws is logged and ignored.
   *
   * @param listener takes the round trip of each probe; it stays registered
   * @throws NullPointerException if {@code listener} is null
   */
  public void onProbeLag(Consumer<Duration> listener) {
    probeListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  private void probeAnswered(long roundTripNanos) {
    if (probeListeners.isEmpty()) {
      return;
    }
    Duration lag = Duration.ofNanos(roundTripNanos);
    for (Consumer<Duration> listener : probeListeners) {
      try {
        listener.accept(lag);
      } catch (RuntimeException e) {
        log.warn("client {}: a probe lag listener failed", instanceId, e);
      }
    }
  }

  /**
   * The application key prefix every Redis key and the channel of this client start with.
   *
   * @return the prefix given to {@link Builder#keyPrefix}
   */
  public String keyPrefix() {
    return keyPrefix;
  }

  /**
   * This instance's id, as given to the builder or derived from the JVM's pid and host.
   *
   * @return the id, never {@code null}
   */
  public String instanceId() {
    return instanceId;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("NearCacheClient is closed");
    }
  }

  /**
   * Stops the subscriber, maintenance and clock threads and closes the connection pool if this
   * client created it. Idempotent. Blocks at most a few seconds for each thread to end.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    contact.close();
    threads.close();
    retries.retry(); // a last attempt, each call bounded by the Redis timeout
    if (retries.size() > 0) {
      log.warn("client {}: closed with {} invalidations Redis never received", instanceId,
          retries.size());
    }
    subscriptions.close();
    redis.close();
    caches.clear();
  }

  /**
   * Configures a {@link NearCacheClient}. Each option may be set once ({@link
   * IllegalStateException} otherwise). {@link #keyPrefix} is required, and so is exactly one Redis
   * source: a standalone server ({@link #redisUri} or a {@link RedisClient}), a primary guarded by
   * Sentinel ({@link #sentinel} or a {@link RedisSentinelClient}), or a Cluster ({@link #cluster}
   * or a {@link RedisClusterClient}). A client given to {@code jedis(...)} keeps its own
   * timeouts, credentials and TLS; {@link #redisTimeout}, {@link #user}, {@link #sentinelUser} and
   * {@link #tls} apply to the connections the library makes itself.
   */
  public static final class Builder {
    /** How long {@link #build()} waits for the first subscription. */
    public static final Duration DEFAULT_SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);
    /** Bound of every Redis call of a client that makes its own connections: 100 ms. */
    public static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofMillis(100);
    /** Slot groups of a prefix unless {@link #slotGroups} says otherwise: 16. */
    public static final int DEFAULT_SLOT_GROUPS = SlotGroups.DEFAULT;
    /** Key invalidations kept while Redis is unreachable: 10,000. */
    public static final int DEFAULT_MAX_PENDING_INVALIDATIONS = 10_000;
    /**
     * How old an L1 entry must be before {@link #consistencySampling} compares it, and how long
     * it must then go on differing from Redis to count as stale: 1 s, far above the propagation
     * bound (a p99 under 1 ms on one Redis), so a change whose invalidation is in flight never
     * counts.
     */
    public static final Duration SAMPLE_BOUND = Duration.ofSeconds(1);
    /** The most {@link #consistencySampling} takes: 1,000 entries, so GETs, a second. */
    public static final int MAX_SAMPLES_PER_SECOND = 1_000;

    private URI redisUri;
    private String masterName;
    private Set<HostAndPort> nodes;
    private boolean clusterNodes;
    private UnifiedJedis jedis;
    private Duration redisTimeout;
    private int maxPendingInvalidations;
    private int samplesPerSecond;
    private Executor refreshExecutor;
    private SlotGroups slotGroups;
    private String user;
    private String password;
    private String sentinelUser;
    private String sentinelPassword;
    private RedisTls tls;
    private String keyPrefix;
    private String instanceId;

    private Builder() {}

    /**
     * Connects to the Redis server at {@code uri}: {@code redis://[user:password@]host:port[/db]},
     * or {@code rediss://} for TLS (trusting what the JVM trusts, unless {@link #tls} says
     * otherwise). The client creates and owns its pool.
     *
     * @param uri the server's URI, not {@code null}
     * @return this builder
     * @throws IllegalArgumentException if the URI is malformed or not a Redis URI
     */
    public Builder redisUri(String uri) {
      Objects.requireNonNull(uri, "uri");
      requireNoSource();
      URI parsed;
      try {
        parsed = URI.create(uri);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("redisUri is malformed: \"" + uri + "\"", e);
      }
      if (!JedisURIHelper.isValid(parsed)) {
        throw new IllegalArgumentException(
            "redisUri must look like redis://host:port or rediss://host:port: \"" + uri + "\"");
      }
      redisUri = parsed;
      return this;
    }

    /**
     * Follows the primary that Sentinel knows as {@code masterName}, asking any of {@code
     * sentinels} ({@code host:port} each) where it is, and moving with it on a failover. The
     * client creates and owns its connections.
     *
     * @param masterName the name Sentinel monitors the primary under; not blank
     * @param sentinels the sentinels' addresses, {@code host:port} each; at least one
     * @return this builder
     * @throws IllegalArgumentException if an address is not {@code host:port}, or none is given
     */
    public Builder sentinel(String masterName, String... sentinels) {
      Objects.requireNonNull(masterName, "masterName");
      requireNoSource();
      if (masterName.isBlank()) {
        throw new IllegalArgumentException("masterName is blank");
      }
      this.nodes = addresses("sentinels", sentinels);
      this.masterName = masterName;
      return this;
    }

    /**
     * Connects to the Redis Cluster that any of {@code seedNodes} ({@code host:port} each) belongs
     * to; the client learns the rest of it from them, and follows failovers and slot migrations.
     * The client creates and owns its connections.
     *
     * @param seedNodes addresses of nodes of the cluster, {@code host:port} each; at least one
     * @return this builder
     * @throws IllegalArgumentException if an address is not {@code host:port}, or none is given
     */
    public Builder cluster(String... seedNodes) {
      requireNoSource();
      this.nodes = addresses("seedNodes", seedNodes);
      this.clusterNodes = true;
      return this;
    }

    /**
     * Uses the caller's client of one Redis server, with its timeouts, credentials and TLS. The
     * caller keeps ownership: {@link NearCacheClient#close()} does not close it. The subscriber
     * holds one connection of its pool while the client is open.
     *
     * @param jedis the client to use, not {@code null}; left open by this one
     * @return this builder
     */
    public Builder jedis(RedisClient jedis) {
      return client(jedis);
    }

    /**
     * Uses the caller's Sentinel client, which follows the primary. As {@link #jedis(RedisClient)}:
     * the caller keeps ownership, and the subscriber holds one connection of its pool.
     *
     * @param jedis the client to use, not {@code null}; left open by this one
     * @return this builder
     */
    public Builder jedis(RedisSentinelClient jedis) {
      return client(jedis);
    }

    /**
     * Uses the caller's Cluster client. As {@link #jedis(RedisClient)}: the caller keeps
     * ownership; the subscribers hold one connection of the pool of each primary that owns slot
     * groups of this prefix.
     *
     * @param jedis the client to use, not {@code null}; left open by this one
     * @return this builder
     */
    public Builder jedis(RedisClusterClient jedis) {
      return client(jedis);
    }

    private Builder client(UnifiedJedis client) {
      Objects.requireNonNull(client, "jedis");
      requireNoSource();
      this.jedis = client;
      return this;
    }

    /**
     * The ACL user and password of the connections to Redis servers this client makes. A user
     * and password in a {@link #redisUri} win. Default: the {@code default} user, no password.
     * docs/operations.md (ACL users) lists what the user must be allowed; {@link #build()} checks
     * it.
     *
     * @param user the ACL user name, not {@code null}
     * @param password the user's password, not {@code null}
     * @return this builder
     */
    public Builder user(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (this.user != null) {
        throw new IllegalStateException("user was already set to " + this.user);
      }
      this.user = user;
      this.password = password;
      return this;
    }

    /**
     * The ACL user and password of the connections to the sentinels, which are often not the
     * servers' own. Default: none.
     *
     * @param user the sentinels' ACL user name, not {@code null}
     * @param password the user's password, not {@code null}
     * @return this builder
     */
    public Builder sentinelUser(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (sentinelUser != null) {
        throw new IllegalStateException("sentinelUser was already set to " + sentinelUser);
      }
      this.sentinelUser = user;
      this.sentinelPassword = password;
      return this;
    }

    /**
     * Speaks TLS to every server (and sentinel) this client connects to, trusting what {@code
     * tls} says, with hostname verification unless it was turned off. Default: plaintext, but
     * {@code rediss://} in {@link #redisUri} means {@link RedisTls#systemTrust()}.
     *
     * @param tls which certificates to trust and whether to check host names; not {@code null}
     * @return this builder
     */
    public Builder tls(RedisTls tls) {
      Objects.requireNonNull(tls, "tls");
      if (this.tls != null) {
        throw new IllegalStateException("tls was already set to " + this.tls);
      }
      this.tls = tls;
      return this;
    }

    /**
     * The application's namespace in Redis: every key and the invalidation channel start with it,
     * so applications sharing a Redis never see each other's entries. Every instance of one
     * application must use the same prefix. Required; {@code [A-Za-z0-9_.-]{1,64}}.
     *
     * @param prefix the namespace, 1 to 64 of {@code A-Z a-z 0-9 _ . -}
     * @return this builder
     */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (keyPrefix != null) {
        throw new IllegalStateException("keyPrefix was already set to " + keyPrefix);
      }
      keyPrefix = KeyLayout.requireName("keyPrefix", prefix);
      return this;
    }

    /**
     * A name for this instance in logs and messages. Default {@code pid@host}. Need not be unique:
     * messages carry it with a random suffix per client.
     *
     * @param id the name, 1 to 200 characters
     * @return this builder
     */
    public Builder instanceId(String id) {
      Objects.requireNonNull(id, "id");
      if (instanceId != null) {
        throw new IllegalStateException("instanceId was already set to " + instanceId);
      }
      if (id.isEmpty() || id.length() > 200) {
        throw new IllegalArgumentException("instanceId must have 1 to 200 characters: \"" + id
            + "\"");
      }
      instanceId = id;
      return this;
    }

    /**
     * Bounds every Redis call of a client that makes its own connections: connecting, waiting for
     * a pooled connection, and waiting for a reply. A call that takes longer counts as a Redis
     * failure; a read goes on to its loader. Default {@link #DEFAULT_REDIS_TIMEOUT}. A client given
     * to {@code jedis(...)} keeps its own timeouts.
     *
     * @param timeout at least 1 ms, at most {@link Integer#MAX_VALUE} ms (about 24 days)
     * @return this builder
     */
    public Builder redisTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (redisTimeout != null) {
        throw new IllegalStateException("redisTimeout was already set to " + redisTimeout);
      }
      if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("redisTimeout must be 1 ms to 24 days: " + timeout);
      }
      redisTimeout = timeout;
      return this;
    }

    /**
     * How many key invalidations a client keeps while it cannot reach Redis, to redo them once it
     * is back. Past this bound each affected cache gets one whole-cache invalidation instead, so
     * none is lost. Default {@link #DEFAULT_MAX_PENDING_INVALIDATIONS}.
     *
     * @param keys at least 1
     * @return this builder
     */
    public Builder maxPendingInvalidations(int keys) {
      if (maxPendingInvalidations != 0) {
        throw new IllegalStateException(
            "maxPendingInvalidations was already set to " + maxPendingInvalidations);
      }
      if (keys < 1) {
        throw new IllegalArgumentException("maxPendingInvalidations < 1: " + keys);
      }
      maxPendingInvalidations = keys;
      return this;
    }

    /**
     * Checks about {@code entriesPerSecond} L1 entries a second, over all caches of this client,
     * against Redis, on the maintenance thread: staleness measured, not guessed. An entry at least
     * {@link #SAMPLE_BOUND} old whose bytes (as its cache's serializer encodes it) differ from
     * Redis' is looked at again {@link #SAMPLE_BOUND} later; if L1 still holds that very entry and
     * Redis still differs, no invalidation reached this instance: the entry is counted in {@link
     * CacheStats#staleEntries()}, logged as a warning, and dropped. Entries of slot groups out of
     * step (not served then), and keys Redis holds no value of, are skipped. Each comparison is a
     * GET; off (0) by default.
     *
     * @param entriesPerSecond 0 (off) to {@value #MAX_SAMPLES_PER_SECOND}
     * @return this builder
     * @throws IllegalArgumentException if out of that range
     * @throws IllegalStateException if set twice
     */
    public Builder consistencySampling(int entriesPerSecond) {
      if (samplesPerSecond != 0) {
        throw new IllegalStateException(
            "consistencySampling was already set to " + samplesPerSecond);
      }
      if (entriesPerSecond < 0 || entriesPerSecond > MAX_SAMPLES_PER_SECOND) {
        throw new IllegalArgumentException("consistencySampling must be 0 to "
            + MAX_SAMPLES_PER_SECOND + " entries a second: " + entriesPerSecond);
      }
      samplesPerSecond = entriesPerSecond;
      return this;
    }

    /**
     * Where refreshes ahead of expiry ({@link CacheSpec#refreshAfter()}) run: the loader call and
     * the Redis write of each. Default: a pool of this client's own, of 2 threads started on
     * demand, with room for 1,000 waiting refreshes, stopped by {@link NearCacheClient#close()};
     * an executor given here is used as it is and not shut down. A refresh the executor refuses
     * ({@link java.util.concurrent.RejectedExecutionException}) is counted in {@link
     * CacheStats#refreshFailures()} and tried again by a later read; it never runs on the reading
     * thread.
     *
     * @param executor runs each refresh once; not {@code null}
     * @return this builder
     * @throws IllegalStateException if set twice
     */
    public Builder refreshExecutor(Executor executor) {
      if (refreshExecutor != null) {
        throw new IllegalStateException("refreshExecutor was already set");
      }
      refreshExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * How many slot groups the prefix's keys fall into: each is one hash slot, so on a Cluster a
     * prefix's writes go to at most this many primaries, and a client keeps one subscription per
     * primary that owns some. More groups spread a prefix wider; fewer tie it to fewer shards and
     * make a repair read fewer counters. Every node of a fleet must use the same count ({@link
     * #build()} checks it against the count stored under {@code <prefix>:slot-groups}). Default
     * {@link #DEFAULT_SLOT_GROUPS}.
     *
     * @param groups 1 to 256
     * @return this builder
     */
    public Builder slotGroups(int groups) {
      if (slotGroups != null) {
        throw new IllegalStateException("slotGroups was already set to " + slotGroups.count());
      }
      slotGroups = new SlotGroups(groups);
      return this;
    }

    private SlotGroups groups() {
      return slotGroups != null ? slotGroups : SlotGroups.defaults();
    }

    private void requireNoSource() {
      if (redisUri != null || nodes != null || jedis != null) {
        throw new IllegalStateException("the Redis source was already set; use one of redisUri,"
            + " sentinel, cluster and jedis");
      }
    }

    private static Set<HostAndPort> addresses(String what, String... addresses) {
      Objects.requireNonNull(addresses, what);
      if (addresses.length == 0) {
        throw new IllegalArgumentException(what + ": at least one host:port is required");
      }
      Set<HostAndPort> parsed = new LinkedHashSet<>();
      for (String address : addresses) {
        Objects.requireNonNull(address, what);
        int colon = address.lastIndexOf(':');
        try {
          if (colon < 1) {
            throw new NumberFormatException("no port");
          }
          parsed.add(new HostAndPort(address.substring(0, colon),
              Integer.parseInt(address.substring(colon + 1))));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(what + " must be host:port: \"" + address + "\"", e);
        }
      }
      return parsed;
    }

    /**
     * Connects, checks the Redis version and the ACL user's permissions, starts the subscriber
     * threads and waits up to {@link #DEFAULT_SUBSCRIBE_TIMEOUT} for them to subscribe. A
     * standalone server that is down does not fail it: the subscriber keeps retrying and caches go
     * to their loaders meanwhile (the version and permissions are then not checked). Sentinel and
     * Cluster need one sentinel or node to answer, to learn where the servers are.
     *
     * @throws IllegalStateException if the key prefix or the Redis source is missing, or options
     *     conflict; if no sentinel or cluster node answers; if a server runs a Redis older than
     *     6.2 (the message names the version found and the minimum); if the ACL user lacks a
     *     permission the library needs (the message names it, with the rule to grant); or if the
     *     prefix uses another count of {@link #slotGroups} in this Redis
     *
     * @return the client, open; close it when done
     */
    public NearCacheClient build() {
      if (keyPrefix == null) {
        throw new IllegalStateException("keyPrefix is required");
      }
      if (redisUri == null && nodes == null && jedis == null) {
        throw new IllegalStateException(
            "a Redis source is required: call redisUri, sentinel, cluster or jedis");
      }
      if (jedis != null && (user != null || tls != null || redisTimeout != null)) {
        throw new IllegalStateException("user, tls and redisTimeout apply to connections the"
            + " library makes; a client given to jedis(...) keeps its own settings");
      }
      if (sentinelUser != null && masterName == null) {
        throw new IllegalStateException("sentinelUser applies to sentinel(...) only");
      }
      String id = instanceId != null ? instanceId : ManagementFactory.getRuntimeMXBean().getName();
      RedisDeployment redis = connect();
      String version = check(redis, id);
      NearCacheClient client = new NearCacheClient(keyPrefix, id, redis, groups(),
          version != null && SupportedVersions.hasSetNxGet(version),
          maxPendingInvalidations != 0 ? maxPendingInvalidations
              : DEFAULT_MAX_PENDING_INVALIDATIONS, samplesPerSecond, refreshExecutor);
      try {
        if (client.subscriptions.start(DEFAULT_SUBSCRIBE_TIMEOUT)) {
          client.contact.followOwners();
          client.contact.tick(TICK.toNanos());
        } else {
          log.warn("client {}: not subscribed to invalidations after {}; retrying in the"
              + " background", client.instanceId, DEFAULT_SUBSCRIBE_TIMEOUT);
        }
        client.threads.tickAdaptively(client::maintain);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        client.close();
        throw new IllegalStateException("interrupted while subscribing", e);
      }
      return client;
    }

    private RedisDeployment connect() {
      if (jedis instanceof RedisClusterClient cluster) {
        return reach("the given RedisClusterClient", () -> ClusterRedis.of(cluster, keyPrefix,
            groups()));
      }
      if (jedis instanceof RedisSentinelClient sentinel) {
        return SentinelRedis.of(sentinel, groups());
      }
      if (jedis instanceof RedisClient standalone) {
        return StandaloneRedis.of(standalone, groups());
      }
      Duration timeout = redisTimeout != null ? redisTimeout : DEFAULT_REDIS_TIMEOUT;
      SslOptions ssl = tls != null ? tls.sslOptions() : null;
      if (redisUri != null) {
        String uriUser = JedisURIHelper.getUser(redisUri);
        String uriPassword = JedisURIHelper.getPassword(redisUri);
        if (ssl == null && JedisURIHelper.isRedisSSLScheme(redisUri)) {
          ssl = RedisTls.systemTrust().sslOptions();
        }
        return StandaloneRedis.connect(redisUri, new ClientSettings(timeout,
            uriUser != null ? uriUser : user, uriPassword != null ? uriPassword : password, ssl),
            groups());
      }
      ClientSettings settings = new ClientSettings(timeout, user, password, ssl);
      if (clusterNodes) {
        return reach("cluster " + nodes,
            () -> ClusterRedis.connect(nodes, settings, keyPrefix, groups()));
      }
      ClientSettings sentinels = new ClientSettings(timeout, sentinelUser, sentinelPassword, ssl);
      return reach("sentinels " + nodes + " of " + masterName,
          () -> SentinelRedis.connect(masterName, nodes, settings, sentinels, groups()));
    }

    /** Runs {@code connect}, turning a failure into a message that names what was tried. */
    private static RedisDeployment reach(String what, Supplier<RedisDeployment> connect) {
      try {
        return connect.get();
      } catch (JedisException e) {
        String refusal = refusal(e);
        throw new IllegalStateException("cannot reach " + what + ": " + e.getMessage()
            + (refusal == null ? "" : "; the Redis user lacks a permission nearcache needs: "
                + refusal + " (docs/operations.md, ACL users, lists the whole rule)"), e);
      }
    }

    /**
     * The first permission refusal among {@code e}, its causes and what they suppressed: Jedis'
     * cluster client reports "Could not initialize cluster slots cache" and keeps Redis' NOPERM
     * for {@code CLUSTER SLOTS} as a suppressed exception.
     */
    private static String refusal(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (Permissions.isRefusal(t.getMessage())) {
          return t.getMessage();
        }
        for (Throwable suppressed : t.getSuppressed()) {
          String found = refusal(suppressed);
          if (found != null) {
            return found;
          }
        }
      }
      return null;
    }

    /**
     * Checks the version and the permissions, if Redis answers; closes {@code redis} if not.
     *
     * @return the server's version, or {@code null} if Redis did not answer
     */
    private String check(RedisDeployment redis, String id) {
      String server = redisUri != null ? JedisURIHelper.getHostAndPort(redisUri).toString()
          : nodes != null ? nodes.toString() : "the given " + jedis.getClass().getSimpleName();
      try {
        String version = redis.serverVersion();
        SupportedVersions.require(version, server);
        Permissions.require(redis, keyPrefix);
        SlotGroupCheck.require(redis, keyPrefix, groups());
        return version;
      } catch (JedisDataException e) {
        redis.close();
        throw new IllegalStateException("Redis at " + server + " refused a command nearcache"
            + " needs: " + e.getMessage() + "; grant: ACL SETUSER <user> "
            + Permissions.rule(redis, keyPrefix), e);
      } catch (JedisException e) {
        log.warn("client {}: Redis at {} not reachable ({}); its version and permissions are not"
            + " checked", id, server, e.toString());
        return null;
      } catch (IllegalStateException e) {
        redis.close();
        throw e;
      }
    }
  }
}
