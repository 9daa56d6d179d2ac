package io.nearcache.internal;

import io.nearcache.CacheSpec;
import io.nearcache.CacheStats;
import io.nearcache.KeyCodec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheException;
import io.nearcache.Serializer;
import io.nearcache.internal.invalidation.InvalidationMessage;
import io.nearcache.internal.invalidation.InvalidationPublisher;
import io.nearcache.internal.l1.LocalStore;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.stats.StatsCounter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The {@link NearCache} behind {@link io.nearcache.NearCacheClient#cache}: L1 in a {@link
 * LocalStore}, L2 in a {@link RemoteStore}, mutations announced through the client's {@link
 * InvalidationPublisher}. Not API.
 */
public final class DefaultNearCache<K, V> implements NearCache<K, V> {
  private static final Logger log = LoggerFactory.getLogger(DefaultNearCache.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String name;
  private final CacheSpec spec;
  private final KeyCodec<K> keyCodec;
  private final Serializer<V> serializer;
  private final LocalStore<V> local;
  private final RemoteStore remote;
  private final InvalidationPublisher publisher;
  private final StatsCounter stats;
  private final BooleanSupplier clientOpen;
  private final ConcurrentHashMap<String, CompletableFuture<V>> loads = new ConcurrentHashMap<>();
  private final AtomicLong lastRedisWarn = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

  /**
   * Creates a cache; its client calls this, users call {@link io.nearcache.NearCacheClient#cache}.
   *
   * @param clientOpen whether the owning client is still open, checked on every call
   */
  public DefaultNearCache(String name, CacheSpec spec, KeyCodec<K> keyCodec,
      Serializer<V> serializer, RemoteStore remote, InvalidationPublisher publisher,
      BooleanSupplier clientOpen) {
    this.name = name;
    this.spec = spec;
    this.keyCodec = keyCodec;
    this.serializer = serializer;
    this.local = new LocalStore<>(spec);
    this.remote = remote;
    this.publisher = publisher;
    this.stats = spec.recordStats() ? StatsCounter.concurrent() : StatsCounter.disabled();
    this.clientOpen = clientOpen;
  }

  @Override
  public String name() {
    return name;
  }

  /** The cache's configuration. */
  public CacheSpec spec() {
    return spec;
  }

  @Override
  public V get(K key, Function<? super K, ? extends V> loader) {
    String k = encode(key);
    Objects.requireNonNull(loader, "loader");
    V value = local.get(k);
    if (value != null) {
      stats.recordL1Hit();
      return value;
    }
    stats.recordL1Miss();
    return loadOnce(key, k, loader);
  }

  @Override
  public V getIfPresent(K key) {
    String k = encode(key);
    V value = local.get(k);
    if (value != null) {
      stats.recordL1Hit();
      return value;
    }
    stats.recordL1Miss();
    return readRemote(k);
  }

  /** Joins the load of {@code k} in flight in this JVM, or runs it. */
  private V loadOnce(K key, String k, Function<? super K, ? extends V> loader) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> theirs = loads.putIfAbsent(k, mine);
    if (theirs != null) {
      return join(theirs);
    }
    try {
      // A load that finished between our L1 miss and putIfAbsent has filled L1 already.
      V value = local.get(k);
      if (value == null) {
        value = load(key, k, loader);
      }
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      loads.remove(k, mine);
    }
  }

  private V load(K key, String k, Function<? super K, ? extends V> loader) {
    V value = readRemote(k);
    if (value != null) {
      return value;
    }
    long start = System.nanoTime();
    try {
      value = loader.apply(key);
    } catch (RuntimeException | Error e) {
      stats.recordLoadFailure(System.nanoTime() - start);
      throw e;
    }
    stats.recordLoadSuccess(System.nanoTime() - start);
    if (value != null) {
      byte[] bytes = serializer.serialize(value);
      if (fitsRemote(k, bytes)) {
        try {
          remote.set(k, bytes);
        } catch (JedisException e) {
          redisFailed("SET", k, e);
        }
      }
      local.put(k, value, bytes.length);
    }
    return value;
  }

  /** L2 lookup of an L1 miss; fills L1 on a hit. Never throws a Redis failure. */
  private V readRemote(String k) {
    byte[] bytes;
    try {
      bytes = remote.get(k);
    } catch (JedisException e) {
      redisFailed("GET", k, e);
      bytes = null;
    }
    V value = bytes == null ? null : decode(k, bytes);
    if (value == null) {
      stats.recordL2Miss();
      return null;
    }
    stats.recordL2Hit();
    local.put(k, value, bytes.length);
    return value;
  }

  /** Decodes L2 bytes; bytes that do not decode are counted, logged and deleted. */
  private V decode(String k, byte[] bytes) {
    try {
      return Objects.requireNonNull(serializer.deserialize(bytes), "serializer returned null");
    } catch (RuntimeException e) {
      stats.recordDecodeError();
      log.warn("cache {}: value of key {} in Redis ({} bytes) does not decode, deleting it: {}",
          name, k, bytes.length, e.toString());
      try {
        remote.delete(k);
      } catch (JedisException deleteFailed) {
        redisFailed("DEL", k, deleteFailed);
      }
      return null;
    }
  }

  @Override
  public Map<K, V> getAll(Iterable<? extends K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(bulkLoader, "bulkLoader");
    Map<String, K> requested = new LinkedHashMap<>();
    for (K key : keys) {
      requested.put(encode(key), key);
    }
    Map<String, V> found = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String k : requested.keySet()) {
      V value = local.get(k);
      if (value != null) {
        stats.recordL1Hit();
        found.put(k, value);
      } else {
        stats.recordL1Miss();
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      Map<String, K> unresolved = readRemoteAll(missing, found, requested);
      if (!unresolved.isEmpty()) {
        loadAll(unresolved, bulkLoader, found);
      }
    }
    Map<K, V> result = new LinkedHashMap<>();
    requested.forEach((k, key) -> {
      V value = found.get(k);
      if (value != null) {
        result.put(key, value);
      }
    });
    return Collections.unmodifiableMap(result);
  }

  /** One round trip for every L1 miss; returns the keys L2 could not answer. */
  private Map<String, K> readRemoteAll(List<String> missing, Map<String, V> found,
      Map<String, K> requested) {
    List<byte[]> values;
    try {
      values = remote.getAll(missing);
    } catch (JedisException e) {
      redisFailed("pipelined GET", missing.size() + " keys", e);
      values = Collections.nCopies(missing.size(), null);
    }
    Map<String, K> unresolved = new LinkedHashMap<>();
    for (int i = 0; i < missing.size(); i++) {
      String k = missing.get(i);
      byte[] bytes = values.get(i);
      V value = bytes == null ? null : decode(k, bytes);
      if (value == null) {
        stats.recordL2Miss();
        unresolved.put(k, requested.get(k));
      } else {
        stats.recordL2Hit();
        local.put(k, value, bytes.length);
        found.put(k, value);
      }
    }
    return unresolved;
  }

  private void loadAll(Map<String, K> unresolved,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader,
      Map<String, V> found) {
    Set<K> keys = Collections.unmodifiableSet(new LinkedHashSet<>(unresolved.values()));
    long start = System.nanoTime();
    Map<? extends K, ? extends V> loaded;
    try {
      loaded = Objects.requireNonNull(bulkLoader.apply(keys), "bulkLoader returned null");
    } catch (RuntimeException | Error e) {
      stats.recordLoadFailure(System.nanoTime() - start);
      throw e;
    }
    stats.recordLoadSuccess(System.nanoTime() - start);
    Map<String, byte[]> toStore = new LinkedHashMap<>();
    unresolved.forEach((k, key) -> {
      V value = loaded.get(key);
      if (value != null) {
        byte[] bytes = serializer.serialize(value);
        if (fitsRemote(k, bytes)) {
          toStore.put(k, bytes);
        }
        local.put(k, value, bytes.length);
        found.put(k, value);
      }
    });
    if (!toStore.isEmpty()) {
      try {
        remote.setAll(toStore);
      } catch (JedisException e) {
        redisFailed("pipelined SET", toStore.size() + " keys", e);
      }
    }
  }

  @Override
  public void put(K key, V value) {
    String k = encode(key);
    Objects.requireNonNull(value, "value");
    byte[] bytes = serializer.serialize(value);
    try {
      if (fitsRemote(k, bytes)) {
        remote.set(k, bytes);
      } else {
        remote.delete(k); // the old value must not outlive the write
      }
    } catch (JedisException e) {
      local.invalidate(k);
      throw writeFailed("put", k, e);
    }
    local.put(k, value, bytes.length);
    announce(k);
  }

  @Override
  public void invalidate(K key) {
    String k = encode(key);
    local.invalidate(k);
    try {
      remote.delete(k);
    } catch (JedisException e) {
      throw writeFailed("invalidate", k, e);
    }
    announce(k);
  }

  private void announce(String k) {
    try {
      publisher.publishKey(name, remote.generation(), k);
    } catch (JedisException e) {
      throw writeFailed("publish the invalidation of", k, e);
    }
  }

  @Override
  public void invalidateAll() {
    ensureOpen();
    local.invalidateAll();
    try {
      publisher.publishWholeCache(name, remote.bumpGeneration());
    } catch (JedisException e) {
      stats.recordRedisError();
      throw new NearCacheException("cache " + name + ": invalidateAll could not reach Redis", e);
    }
  }

  @Override
  public CacheStats stats() {
    return stats.snapshot();
  }

  /** Applies another instance's invalidation. Called on the subscriber thread. */
  public void onInvalidation(InvalidationMessage message) {
    if (message.wholeCache()) {
      remote.advanceGeneration(message.generation());
      local.invalidateAll();
      return;
    }
    for (String k : message.keys()) {
      local.invalidate(k);
    }
  }

  /** Messages may have been lost: drop L1 and read the generation again before the next L2 call. */
  public void onMessagesMaybeLost() {
    remote.forgetGeneration();
    local.invalidateAll();
  }

  /** L1 entries now held (expired ones not yet cleaned up included). Not API; for tests. */
  public long localSize() {
    return local.estimatedSize();
  }

  /** The L1 value of {@code key}, without touching Redis or stats. Not API; for tests. */
  public V peekLocal(K key) {
    return local.get(encode(key));
  }

  private String encode(K key) {
    Objects.requireNonNull(key, "key");
    ensureOpen();
    return Objects.requireNonNull(keyCodec.encode(key), "keyCodec returned null");
  }

  private void ensureOpen() {
    if (!clientOpen.getAsBoolean()) {
      throw new IllegalStateException("NearCacheClient is closed");
    }
  }

  private boolean fitsRemote(String k, byte[] bytes) {
    if (bytes.length <= spec.maxValueBytes()) {
      return true;
    }
    stats.recordOversizedValue();
    log.warn("cache {}: value of key {} encodes to {} bytes, over maxValueBytes {}; serving it"
        + " without storing it in Redis", name, k, bytes.length, spec.maxValueBytes());
    return false;
  }

  private void redisFailed(String operation, String what, JedisException e) {
    stats.recordRedisError();
    long now = System.nanoTime();
    long last = lastRedisWarn.get();
    if (now - last >= WARN_INTERVAL_NANOS && lastRedisWarn.compareAndSet(last, now)) {
      log.warn("cache {}: Redis {} of {} failed, going on without L2: {}", name, operation, what,
          e.toString());
    } else {
      log.debug("cache {}: Redis {} of {} failed", name, operation, what, e);
    }
  }

  private NearCacheException writeFailed(String operation, String k, JedisException e) {
    stats.recordRedisError();
    return new NearCacheException(
        "cache " + name + ": could not " + operation + " key " + k + " in Redis", e);
  }

  /** Waits for another thread's load (bounded by its loader) and rethrows its failure as is. */
  private static <V> V join(CompletableFuture<V> load) {
    try {
      return load.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
