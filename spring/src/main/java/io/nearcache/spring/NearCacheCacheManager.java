package io.nearcache.spring;

import io.nearcache.CacheSpec;
import io.nearcache.KeyCodec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cache.Cache;
import org.springframework.cache.support.AbstractCacheManager;

/**
 * A Spring {@link org.springframework.cache.CacheManager} of {@link NearCacheCache}s, all made by
 * one {@link NearCacheClient} that the caller owns.
 *
 * <pre>{@code
 * NearCacheCacheManager manager = NearCacheCacheManager.builder(client)
 *     .defaultSpec("localTtl=30s,remoteTtl=5m")
 *     .cache("product", "localTtl=60s,remoteTtl=300s")
 *     .serializer("product", new KryoSerializer<>(Product.class))
 *     .defaultSerializer(new JacksonJsonSerializer<>(Object.class))
 *     .build();
 * }</pre>
 *
 * <p>Each cache name maps to a {@link CacheSpec}; names not configured get the default spec and
 * are created when first asked for (unless {@link Builder#createMissingCaches} is off). A name
 * must be a nearcache cache name, {@code [A-Za-z0-9_.-]{1,64}}: {@link #getCache} throws {@link
 * IllegalArgumentException} for another. Each cache is created once per manager, however often
 * {@link #initializeCaches()} runs. The client may hold no other cache of a name this manager
 * uses.
 *
 * <p>Every instance of an application must configure a cache alike: name, serializer, key codec
 * and null handling; L1 settings of the spec may differ.
 *
 * <p>{@link #close()} (which Spring calls on shutdown) stops the manager's own retrieval threads
 * and closes the client only if {@link Builder#closeClient} said so.
 */
public final class NearCacheCacheManager extends AbstractCacheManager implements AutoCloseable {
  /** Threads of the retrieval executor the manager makes when given none. */
  public static final int DEFAULT_RETRIEVAL_THREADS = 4;
  /** Retrievals the manager's own executor queues before it refuses more. */
  public static final int RETRIEVAL_QUEUE_CAPACITY = 1024;

  private static final Logger log = LoggerFactory.getLogger(NearCacheCacheManager.class);
  private static final long SHUTDOWN_WAIT_SECONDS = 5;

  private final NearCacheClient client;
  private final Map<String, CacheSpec> specs;
  private final CacheSpec defaultSpec;
  private final Map<String, Serializer<?>> serializers;
  private final @Nullable Serializer<?> defaultSerializer;
  private final KeyCodec<Object> keyCodec;
  private final boolean allowNullValues;
  private final boolean createMissingCaches;
  private final UnaryOperator<Cache> decorator;
  private final Executor executor;
  private final @Nullable ThreadPoolExecutor ownExecutor;
  private final boolean closeClient;
  private final ConcurrentHashMap<String, NearCacheCache> caches = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private NearCacheCacheManager(Builder b) {
    this.client = b.client;
    this.specs = Collections.unmodifiableMap(new LinkedHashMap<>(b.specs)); // in the given order
    this.defaultSpec = b.defaultSpec != null ? b.defaultSpec : CacheSpec.defaults();
    this.serializers = Map.copyOf(b.serializers);
    this.defaultSerializer = b.defaultSerializer;
    this.keyCodec = b.keyCodec != null ? b.keyCodec : SpringKeyCodec.standard();
    this.allowNullValues = b.allowNullValues == null || b.allowNullValues;
    this.createMissingCaches = b.createMissingCaches == null || b.createMissingCaches;
    this.decorator = b.decorator != null ? b.decorator : UnaryOperator.identity();
    this.closeClient = b.closeClient != null && b.closeClient;
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownExecutor = null;
    } else {
      int threads = b.retrievalThreads != null ? b.retrievalThreads : DEFAULT_RETRIEVAL_THREADS;
      this.ownExecutor = retrievalExecutor(client.keyPrefix(), threads);
      this.executor = ownExecutor;
    }
  }

  /**
   * Starts a builder over {@code client}, which stays the caller's: the manager closes it only if
   * {@link Builder#closeClient} says so.
   *
   * @param client the client every cache of the manager is made by
   * @return a builder with the defaults of its setters
   * @throws NullPointerException if {@code client} is null
   */
  public static Builder builder(NearCacheClient client) {
    return new Builder(Objects.requireNonNull(client, "client"));
  }

  /** Creates (once) the caches configured by name; {@link #initializeCaches()} calls this. */
  @Override
  protected Collection<? extends Cache> loadCaches() {
    return specs.keySet().stream().map(this::cacheOf).toList();
  }

  /** Creates (once) a cache not configured by name, with the default spec, if allowed. */
  @Override
  protected @Nullable Cache getMissingCache(String name) {
    return specs.containsKey(name) || createMissingCaches ? cacheOf(name) : null;
  }

  /** Applies the {@link Builder#decorator}, such as Spring's transaction-aware one. */
  @Override
  protected Cache decorateCache(Cache cache) {
    return decorator.apply(cache);
  }

  private NearCacheCache cacheOf(String name) {
    // NearCacheClient refuses a second cache of one name: create each once, whatever Spring asks.
    return caches.computeIfAbsent(name, this::newCache);
  }

  private NearCacheCache newCache(String name) {
    Serializer<?> serializer = serializers.getOrDefault(name, defaultSerializer);
    if (serializer == null) {
      // build() refuses this for configured names, and needs a default for the others.
      throw new IllegalStateException("cache '" + name + "' has no serializer");
    }
    NearCache<Object, Object> cache = client.cache(name, specs.getOrDefault(name, defaultSpec),
        keyCodec, new FramedSerializer(serializer));
    return new NearCacheCache(cache, allowNullValues, new Retrievals(name, executor));
  }

  /**
   * Returns the spec a cache of {@code name} has or would get: its own if configured, else the
   * default.
   *
   * @param name a cache name
   * @return the spec, never {@code null}
   * @throws NullPointerException if {@code name} is null
   */
  public CacheSpec specOf(String name) {
    return specs.getOrDefault(Objects.requireNonNull(name, "name"), defaultSpec);
  }

  /**
   * Stops the manager's own retrieval threads (waiting up to 5 s for retrievals under way), and
   * closes the client if {@link Builder#closeClient} said so. Idempotent. A retrieval after close
   * goes without the cache (see {@link NearCacheCache#retrieve(Object)}); the caches keep working
   * for the other calls while the client is open.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopRetrievals();
    if (closeClient) {
      client.close();
    }
  }

  private void stopRetrievals() {
    if (ownExecutor != null) {
      ownExecutor.shutdown();
      try {
        if (!ownExecutor.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
          log.warn("retrieval threads of prefix '{}' still busy after {} s; interrupting them",
              client.keyPrefix(), SHUTDOWN_WAIT_SECONDS);
          ownExecutor.shutdownNow();
        }
      } catch (InterruptedException e) {
        ownExecutor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ThreadPoolExecutor retrievalExecutor(String prefix, int threads) {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = task -> {
      String name = "nearcache-spring-" + prefix + "-" + count.incrementAndGet();
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(RETRIEVAL_QUEUE_CAPACITY), factory);
    // Idle threads end, so a manager whose caches never retrieve asynchronously holds none.
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * Configures a {@link NearCacheCacheManager}: plain values, so that properties map onto it
   * directly (a name-to-spec map, a default spec, a null flag, serializers). Each single-valued
   * option may be set once ({@link IllegalStateException} otherwise); values are checked when set
   * ({@link IllegalArgumentException}), and rules that need the whole configuration in {@link
   * #build()}.
   */
  public static final class Builder {
    private final NearCacheClient client;
    private final Map<String, CacheSpec> specs = new LinkedHashMap<>();
    private final Map<String, Serializer<?>> serializers = new LinkedHashMap<>();
    private @Nullable CacheSpec defaultSpec;
    private @Nullable Serializer<?> defaultSerializer;
    private @Nullable KeyCodec<Object> keyCodec;
    private @Nullable Boolean allowNullValues;
    private @Nullable Boolean createMissingCaches;
    private @Nullable UnaryOperator<Cache> decorator;
    private @Nullable Executor executor;
    private @Nullable Integer retrievalThreads;
    private @Nullable Boolean closeClient;

    private Builder(NearCacheClient client) {
      this.client = client;
    }

    /**
     * Configures the cache {@code name} with a spec string ({@link CacheSpec#parse}), such as
     * {@code "localTtl=60s,remoteTtl=300s"}. The cache is created by {@link #build()}.
     *
     * @param name the cache name, {@code [A-Za-z0-9_.-]{1,64}} (checked by {@link #build()})
     * @param spec its configuration
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the spec does not parse (the message says why)
     * @throws IllegalStateException if {@code name} was configured already
     */
    public Builder cache(String name, String spec) {
      return cache(name, CacheSpec.parse(Objects.requireNonNull(spec, "spec")));
    }

    /**
     * Configures the cache {@code name} with a spec. The cache is created by {@link #build()}.
     *
     * @param name the cache name, {@code [A-Za-z0-9_.-]{1,64}} (checked by {@link #build()})
     * @param spec its configuration
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if {@code name} was configured already
     */
    public Builder cache(String name, CacheSpec spec) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(spec, "spec");
      CacheSpec old = specs.putIfAbsent(name, spec);
      if (old != null) {
        throw new IllegalStateException("cache '" + name + "' was already configured as " + old);
      }
      return this;
    }

    /**
     * Configures every cache of {@code specs}, a map of cache names to spec strings, as {@link
     * #cache(String, String)} does for each, in the map's order.
     *
     * @param specs cache names to spec strings
     * @return this builder
     * @throws NullPointerException if the map, a name or a spec is null
     * @throws IllegalArgumentException if a spec does not parse (the message names the cache)
     * @throws IllegalStateException if a name was configured already
     */
    public Builder caches(Map<String, String> specs) {
      Objects.requireNonNull(specs, "specs").forEach((name, spec) -> {
        try {
          cache(name, spec);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("cache '" + name + "': " + e.getMessage(), e);
        }
      });
      return this;
    }

    /**
     * The spec of caches not configured by name, as a spec string. Default {@link
     * CacheSpec#defaults()}.
     *
     * @param spec the configuration of caches not configured by name
     * @return this builder
     * @throws IllegalArgumentException if the spec does not parse
     * @throws IllegalStateException if set already
     */
    public Builder defaultSpec(String spec) {
      return defaultSpec(CacheSpec.parse(Objects.requireNonNull(spec, "spec")));
    }

    /**
     * The spec of caches not configured by name. Default {@link CacheSpec#defaults()}.
     *
     * @param spec the configuration of caches not configured by name
     * @return this builder
     * @throws IllegalStateException if set already
     */
    public Builder defaultSpec(CacheSpec spec) {
      requireUnset(defaultSpec, "defaultSpec");
      defaultSpec = Objects.requireNonNull(spec, "spec");
      return this;
    }

    /**
     * The serializer of the cache {@code name}'s values, which must take every value the cache
     * is given ({@code KryoSerializer} refuses other types with a {@code SerializationException};
     * a JSON serializer reads back its target type). Framing for cached nulls is added here.
     *
     * @param name the cache name
     * @param serializer turns the cache's values into bytes and back
     * @return this builder
     * @throws IllegalStateException if {@code name} has one already
     */
    public Builder serializer(String name, Serializer<?> serializer) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(serializer, "serializer");
      Serializer<?> old = serializers.putIfAbsent(name, serializer);
      if (old != null) {
        throw new IllegalStateException("cache '" + name + "' already has serializer " + old);
      }
      return this;
    }

    /**
     * The serializer of caches given none by name. Required unless every configured cache has
     * its own and {@link #createMissingCaches} is off.
     *
     * @param serializer turns values into bytes and back
     * @return this builder
     * @throws IllegalStateException if set already
     */
    public Builder defaultSerializer(Serializer<?> serializer) {
      requireUnset(defaultSerializer, "defaultSerializer");
      defaultSerializer = Objects.requireNonNull(serializer, "serializer");
      return this;
    }

    /**
     * Turns cache keys into nearcache's key strings. Default {@link SpringKeyCodec#standard()};
     * a codec of your own must be deterministic across JVMs and injective ({@link KeyCodec}).
     *
     * @param codec the codec of every cache of the manager
     * @return this builder
     * @throws IllegalStateException if set already
     */
    public Builder keyCodec(KeyCodec<Object> codec) {
      requireUnset(keyCodec, "keyCodec");
      keyCodec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Whether the caches store {@code null} (as a marker of their own; see {@link
     * NearCacheCache}). Default {@code true}, as Spring's own caches.
     *
     * @param allow whether {@code null} is a value to cache
     * @return this builder
     * @throws IllegalStateException if set already
     */
    public Builder allowNullValues(boolean allow) {
      requireUnset(allowNullValues, "allowNullValues");
      allowNullValues = allow;
      return this;
    }

    /**
     * Whether {@link #getCache} creates a cache, with the default spec, for a name not
     * configured. Default {@code true}; with {@code false} it returns {@code null} for those.
     *
     * @param create whether to create caches on demand
     * @return this builder
     * @throws IllegalStateException if set already
     */
    public Builder createMissingCaches(boolean create) {
      requireUnset(createMissingCaches, "createMissingCaches");
      createMissingCaches = create;
      return this;
    }

    /**
     * Wraps every cache the manager hands out, for example {@code
     * TransactionAwareCacheDecorator::new} from spring-context-support, which defers {@code put},
     * {@code evict} and {@code clear} to after a transaction's commit. Default: none.
     *
     * @param decorator returns the cache to hand out in place of the one given
     * @return this builder
     * @throws IllegalStateException if set already
     */
    public Builder decorator(UnaryOperator<Cache> decorator) {
      requireUnset(this.decorator, "decorator");
      this.decorator = Objects.requireNonNull(decorator, "decorator");
      return this;
    }

    /**
     * Runs the caches' {@code retrieve} work (everything that may touch Redis or wait for a
     * lease), which stays the caller's: {@link #close()} does not shut it down. Default: one the
     * manager makes and owns, of {@link #retrievalThreads} daemon threads named {@code
     * nearcache-spring-<prefix>-<n>} (ending when idle for 30 s) and a queue of {@value
     * #RETRIEVAL_QUEUE_CAPACITY}; work it refuses goes without the cache. A retrieval that loads
     * holds a thread until its loader's future completes (nearcache's loaders are synchronous),
     * so a loader whose future waits for another retrieval on the same executor can stall once
     * every thread waits: give such an application more threads, or executors of its own.
     *
     * @param executor runs retrievals; it should not run them on the calling thread
     * @return this builder
     * @throws IllegalStateException if set already, or {@link #retrievalThreads} was
     */
    public Builder executor(Executor executor) {
      requireUnset(this.executor, "executor");
      if (retrievalThreads != null) {
        throw new IllegalStateException("executor conflicts with retrievalThreads, which was set"
            + " to " + retrievalThreads + ": set one of them");
      }
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Threads of the manager's own retrieval executor. Default {@value
     * #DEFAULT_RETRIEVAL_THREADS}.
     *
     * @param threads 1 to 256
     *
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if set already, or {@link #executor} was
     */
    public Builder retrievalThreads(int threads) {
      requireUnset(retrievalThreads, "retrievalThreads");
      if (executor != null) {
        throw new IllegalStateException("retrievalThreads conflicts with the executor given: set"
            + " one of them");
      }
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("retrievalThreads must be 1 to 256: " + threads);
      }
      retrievalThreads = threads;
      return this;
    }

    /**
     * Whether {@link NearCacheCacheManager#close()} closes the client too. Default {@code false}:
     * the client is the caller's.
     *
     * @param close whether the manager closes the client
     * @return this builder
     * @throws IllegalStateException if set already
     */
    public Builder closeClient(boolean close) {
      requireUnset(closeClient, "closeClient");
      closeClient = close;
      return this;
    }

    /**
     * Builds the manager and creates the configured caches (Spring's {@code
     * afterPropertiesSet()} later finds them made).
     *
     * @return the manager, its configured caches created
     * @throws IllegalStateException if a configured cache has no serializer and no default is
     *     set, or caches are created on demand without a default serializer, or the client is
     *     closed or already holds a cache of a configured name
     * @throws IllegalArgumentException if a configured name is not a nearcache cache name
     */
    public NearCacheCacheManager build() {
      if (defaultSerializer == null) {
        List<String> without = specs.keySet().stream()
            .filter(name -> !serializers.containsKey(name)).toList();
        if (!without.isEmpty()) {
          throw new IllegalStateException("caches " + without + " have no serializer: give"
              + " each one with serializer(name, ...) or set defaultSerializer(...)");
        }
        if (createMissingCaches == null || createMissingCaches) {
          throw new IllegalStateException("caches not configured are created on demand and need"
              + " defaultSerializer(...); set one, or createMissingCaches(false)");
        }
      }
      NearCacheCacheManager manager = new NearCacheCacheManager(this);
      try {
        manager.initializeCaches();
      } catch (RuntimeException e) {
        manager.stopRetrievals(); // the client stays open: it is the caller's until build()
        throw e;
      }
      return manager;
    }

    private static void requireUnset(@Nullable Object value, String option) {
      if (value != null) {
        throw new IllegalStateException(option + " was already set to " + value);
      }
    }
  }
}
