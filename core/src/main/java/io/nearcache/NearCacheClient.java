package io.nearcache;

import io.nearcache.internal.ClientServices;
import io.nearcache.internal.ClientThreads;
import io.nearcache.internal.Contact;
import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.WriteRetries;
import io.nearcache.internal.invalidation.Announcer;
import io.nearcache.internal.invalidation.InvalidationLog;
import io.nearcache.internal.invalidation.InvalidationSubscriber;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.redis.RedisDeployment;
import io.nearcache.internal.redis.StandaloneRedis;
import io.nearcache.internal.redis.SupportedVersions;
import io.nearcache.internal.resilience.CircuitBreaker;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The one object that owns nearcache's resources for an application: the Redis connection pool,
 * exactly one subscriber connection and its thread ({@code nearcache-subscriber-<prefix>}), a
 * maintenance thread ({@code nearcache-maintenance-<prefix>}: PING on the subscription, the
 * watchdog, repairs, retries) and a clock thread ({@code nearcache-clock-<prefix>}, waking every
 * millisecond) that advances the time L1 expiry reads and runs the L1 caches' Caffeine maintenance,
 * shared by every cache it creates. Make one per application and Redis, share it, close it once on
 * shutdown.
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
 * created it. A {@link RedisClient} passed to {@link Builder#jedis} stays the caller's and is never
 * closed here; the subscriber holds one of its connections while the client is open. After close,
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
  /** How often the watchdog looks at the subscription, and a due repair starts. */
  private static final Duration TICK = Duration.ofMillis(50);

  private final String keyPrefix;
  private final String instanceId;
  private final RedisDeployment redis;
  private final CircuitBreaker breaker;
  private final Announcer announcer;
  private final InvalidationSubscriber subscriber;
  private final Contact contact;
  private final WriteRetries retries;
  private final ClientThreads threads;
  private final ClientServices services;
  private final ConcurrentHashMap<String, DefaultNearCache<?, ?>> caches =
      new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Wires the parts; {@link Builder#build()} starts the subscriber. */
  private NearCacheClient(String keyPrefix, String instanceId, RedisDeployment redis,
      int maxPendingInvalidations) {
    this.keyPrefix = keyPrefix;
    this.instanceId = instanceId;
    this.redis = redis;
    this.retries = new WriteRetries(maxPendingInvalidations);
    this.breaker = new CircuitBreaker(keyPrefix + "/" + instanceId, BREAKER_FAILURES,
        BREAKER_COOL_DOWN, () -> contact().lost("Redis failing"));
    // Unique per client object, so that a client skips exactly its own changes even when two
    // clients were given the same instance id.
    String senderId = instanceId + "/" + UUID.randomUUID();
    this.announcer = new Announcer(redis, keyPrefix, senderId);
    this.contact = new Contact(instanceId, senderId,
        new InvalidationLog(redis.commands(), breaker, keyPrefix), redis, breaker, caches,
        SILENCE_TIMEOUT);
    this.subscriber = new InvalidationSubscriber(redis::subscriberConnection,
        redis.channels(keyPrefix), "nearcache-subscriber-" + keyPrefix, contact);
    contact.watch(subscriber);
    this.threads = new ClientThreads(keyPrefix, instanceId);
    this.services = new ClientServices(contact, retries, threads.clock(),
        threads.l1Maintenance(), () -> !closed);
    threads.every(RETRY_INTERVAL, this::retryWrites);
    threads.every(PING_INTERVAL, subscriber::ping);
    threads.every(TICK, contact::tick);
  }

  private Contact contact() {
    return contact;
  }

  private void retryWrites() {
    if (retries.size() > 0) {
      retries.retry();
    }
  }

  /** Returns a builder; {@link Builder#keyPrefix} and a Redis source are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the cache {@code name} with string keys.
   *
   * @see #cache(String, CacheSpec, KeyCodec, Serializer)
   */
  public <V> NearCache<String, V> cache(String name, CacheSpec spec, Serializer<V> serializer) {
    return cache(name, spec, KeyCodec.strings(), serializer);
  }

  /**
   * Creates the cache {@code name}. Every instance of the application must give a cache the same
   * name, key codec and serializer; its spec may differ per instance (L1 sizes, for example).
   *
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
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(keyCodec, "keyCodec");
    Objects.requireNonNull(serializer, "serializer");
    ensureOpen();
    KeyLayout layout = new KeyLayout(keyPrefix, name);
    DefaultNearCache<K, V> cache = new DefaultNearCache<>(name, spec, keyCodec, serializer,
        new RemoteStore(redis.commands(), breaker, announcer, name, layout, spec.remoteTtl(),
            spec.nullTtl(), spec.leaseTimeout()),
        services);
    if (caches.putIfAbsent(name, cache) != null) {
      throw new IllegalStateException("cache '" + name + "' already exists in this client");
    }
    return cache;
  }

  /**
   * Whether this client is serving without Redis now: its circuit breaker opened after repeated
   * Redis failures and is cooling down. Reads then go straight to their loaders. For health
   * checks and dashboards.
   *
   * @return {@code true} from the breaker opening until a probe finds Redis answering again
   */
  public boolean isDegraded() {
    return breaker.isOpen();
  }

  /** The application key prefix every Redis key and the channel of this client start with. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** This instance's id, as given to the builder or derived from the JVM's pid and host. */
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
    subscriber.close();
    redis.close();
    caches.clear();
  }

  /**
   * Configures a {@link NearCacheClient}. Each option may be set once ({@link
   * IllegalStateException} otherwise); exactly one of {@link #redisUri} and {@link #jedis} is
   * required, and so is {@link #keyPrefix}.
   */
  public static final class Builder {
    /** How long {@link #build()} waits for the first subscription. */
    public static final Duration DEFAULT_SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);
    /** Bound of every Redis call of a client built from a URI: 100 ms. */
    public static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofMillis(100);
    /** Key invalidations kept while Redis is unreachable: 10,000. */
    public static final int DEFAULT_MAX_PENDING_INVALIDATIONS = 10_000;

    private URI redisUri;
    private Duration redisTimeout;
    private int maxPendingInvalidations;
    private RedisClient jedis;
    private String keyPrefix;
    private String instanceId;

    private Builder() {}

    /**
     * Connects to the Redis at {@code uri}: {@code redis://[user:password@]host:port[/db]}, or
     * {@code rediss://} for TLS. The client creates and owns its pool.
     *
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
     * Uses the caller's Jedis client and its timeouts. The caller keeps ownership: {@link
     * NearCacheClient#close()} does not close it. The subscriber holds one connection of its pool
     * while the client is open. (Redis Cluster clients are not supported yet.)
     */
    public Builder jedis(RedisClient jedis) {
      Objects.requireNonNull(jedis, "jedis");
      requireNoSource();
      this.jedis = jedis;
      return this;
    }

    /**
     * The application's namespace in Redis: every key and the invalidation channel start with it,
     * so applications sharing a Redis never see each other's entries. Every instance of one
     * application must use the same prefix. Required; {@code [A-Za-z0-9_.-]{1,64}}.
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
     * Bounds every Redis call of a client built with {@link #redisUri}: connecting, waiting for a
     * pooled connection, and waiting for a reply. A call that takes longer counts as a Redis
     * failure; a read goes on to its loader. Default {@link #DEFAULT_REDIS_TIMEOUT}. A {@link
     * #jedis} client keeps its own timeouts.
     *
     * @param timeout at least 1 ms
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

    private void requireNoSource() {
      if (redisUri != null || jedis != null) {
        throw new IllegalStateException("the Redis source was already set; use redisUri or jedis");
      }
    }

    /**
     * Connects, checks the Redis version, starts the subscriber thread and waits up to {@link
     * #DEFAULT_SUBSCRIBE_TIMEOUT} for it to subscribe. Never fails because Redis is down: the
     * subscriber keeps retrying and caches go to their loaders meanwhile (the version is then not
     * checked).
     *
     * @throws IllegalStateException if the key prefix or the Redis source is missing, or the
     *     server runs a Redis older than 6.2 (the message names the version found and the
     *     minimum)
     */
    public NearCacheClient build() {
      if (keyPrefix == null) {
        throw new IllegalStateException("keyPrefix is required");
      }
      if (redisUri == null && jedis == null) {
        throw new IllegalStateException("a Redis source is required: call redisUri or jedis");
      }
      String id = instanceId != null ? instanceId : ManagementFactory.getRuntimeMXBean().getName();
      RedisDeployment redis = jedis != null ? StandaloneRedis.of(jedis)
          : StandaloneRedis.connect(redisUri,
              redisTimeout != null ? redisTimeout : DEFAULT_REDIS_TIMEOUT);
      requireSupportedVersion(redis, id);
      NearCacheClient client = new NearCacheClient(keyPrefix, id, redis,
          maxPendingInvalidations != 0 ? maxPendingInvalidations
              : DEFAULT_MAX_PENDING_INVALIDATIONS);
      try {
        if (client.subscriber.start(DEFAULT_SUBSCRIBE_TIMEOUT)) {
          client.contact.tick();
        } else {
          log.warn("client {}: not subscribed to invalidations after {}; retrying in the"
              + " background", client.instanceId, DEFAULT_SUBSCRIBE_TIMEOUT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        client.close();
        throw new IllegalStateException("interrupted while subscribing", e);
      }
      return client;
    }

    private void requireSupportedVersion(RedisDeployment redis, String id) {
      String server = redisUri != null ? JedisURIHelper.getHostAndPort(redisUri).toString()
          : "the given RedisClient";
      String version;
      try {
        version = redis.serverVersion();
      } catch (JedisException e) {
        log.warn("client {}: Redis at {} not reachable ({}); its version is not checked", id,
            server, e.toString());
        return;
      }
      try {
        SupportedVersions.require(version, server);
      } catch (IllegalStateException e) {
        redis.close();
        throw e;
      }
      log.debug("client {}: Redis {} at {}", id, version, server);
    }
  }
}
