package io.nearcache.spring;

import io.nearcache.CacheSpec;
import io.nearcache.NearCache;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;

/**
 * A Spring {@link org.springframework.cache.Cache} over a nearcache {@link NearCache}: reads are
 * served from this JVM's L1 when they can, else from Redis, and every write is announced to every
 * other instance. Instances come from {@link NearCacheCacheManager}; all methods are thread-safe.
 *
 * <p><b>Keys</b> go through the manager's key codec ({@link SpringKeyCodec} by default); a key it
 * cannot encode is an {@link IllegalArgumentException} from every method.
 *
 * <p><b>Null values.</b> With {@link #isAllowNullValues()} (the manager's default), a {@code null}
 * is cached as a marker of this module's own ({@link NullValue#INSTANCE} in L1, one frame byte in
 * Redis), so a cached "no value" is a hit: {@link #get(Object)} returns a wrapper holding {@code
 * null}. Without it, {@link #put} and {@link #putIfAbsent} of {@code null} throw the {@link
 * IllegalArgumentException} of Spring's own caches, and {@link #get(Object, Callable)} wraps that
 * exception when the loader returns {@code null}. Every instance of the application must agree on
 * the setting.
 *
 * <p><b>Writes take effect at once.</b> {@link #put}, {@link #evict}, {@link #evictIfPresent},
 * {@link #clear} and {@link #invalidate} return after Redis changed and the change was published
 * (or, with Redis unreachable, queued for its return, as {@link NearCache} describes): this
 * instance no longer sees the old value, and other instances drop it when the message arrives
 * (well under a millisecond on loopback). Each blocks its caller for about one Redis round trip,
 * bounded by the client's Redis timeout. Under Spring's {@code TransactionAwareCacheDecorator},
 * {@link #put}, {@link #evict} and {@link #clear} run after the transaction commits, while {@link
 * #evictIfPresent}, {@link #invalidate} and {@link #putIfAbsent} still act at once.
 *
 * <p><b>Failures.</b> A Redis failure never reaches the caller: reads miss (and loaders run),
 * writes are kept for Redis' return. After the owning client is closed, every method throws
 * {@link IllegalStateException}.
 */
public final class NearCacheCache extends AbstractValueAdaptingCache {
  private final NearCache<Object, Object> cache;
  private final Retrievals retrievals;

  NearCacheCache(NearCache<Object, Object> cache, boolean allowNullValues,
      Retrievals retrievals) {
    super(allowNullValues);
    this.cache = cache;
    this.retrievals = retrievals;
  }

  /** Returns the cache's name, the nearcache name of the underlying cache. */
  @Override
  public String getName() {
    return cache.name();
  }

  /**
   * Returns the underlying {@code NearCache<Object, Object>}, for its statistics and size. Its
   * values are what this cache stores: user values, and {@link NullValue#INSTANCE} for a cached
   * {@code null}. Writing to it directly skips this cache's null handling.
   */
  @Override
  public NearCache<Object, Object> getNativeCache() {
    return cache;
  }

  /** Reads L1, else Redis; never loads. */
  @Override
  protected @Nullable Object lookup(Object key) {
    return cache.getIfPresent(key);
  }

  /**
   * Returns the value of {@code key}, loading it with {@code valueLoader} on a miss of both tiers;
   * this is what {@code @Cacheable(sync = true)} calls. Within this JVM, concurrent callers of one
   * key share one load; across the fleet, the instance holding the key's lease loads and the
   * others wait for its value (see {@link CacheSpec#leaseTimeout()} for what happens when the
   * holder is slow or dies). A hit does not call the loader.
   *
   * @throws ValueRetrievalException if {@code valueLoader} threw, checked or unchecked (the cause
   *     is what it threw; nothing is cached then), or returned {@code null} while nulls are not
   *     allowed (the cause is the {@link IllegalArgumentException} of {@link #put})
   * @throws IllegalArgumentException if the key cannot be encoded
   */
  @Override
  @SuppressWarnings("unchecked")
  public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
    Objects.requireNonNull(valueLoader, "valueLoader");
    return (T) fromStoreValue(cache.get(key, k -> load(key, valueLoader)));
  }

  private Object load(Object key, Callable<?> valueLoader) {
    try {
      return toStoreValue(valueLoader.call());
    } catch (Exception e) {
      // A RuntimeException passes through NearCache unchanged, to every caller that joined.
      throw new ValueRetrievalException(key, valueLoader, e);
    }
  }

  /**
   * Returns the value of {@code key}, wrapped, without blocking the caller: the lookup (L1, else
   * Redis) runs on the manager's retrieval executor. The future completes with a {@link
   * ValueWrapper} (holding {@code null} for a cached {@code null}) on a hit, and with {@code null}
   * on a miss, a Redis failure included. If the executor refuses the work (its queue is full or
   * the manager closed), the future completes with {@code null} at once, so that Spring calls the
   * method; refusals are logged and counted ({@link #rejectedRetrievals()}).
   *
   * @return a future, never {@code null}
   */
  @Override
  public CompletableFuture<?> retrieve(Object key) {
    Objects.requireNonNull(key, "key");
    CompletableFuture<ValueWrapper> result = new CompletableFuture<>();
    boolean submitted = retrievals.submit(() -> {
      try {
        result.complete(toValueWrapper(cache.getIfPresent(key)));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    if (!submitted) {
      result.complete(null);
    }
    return result;
  }

  /**
   * Returns the value of {@code key}, loading it with {@code valueLoader} on a miss of both tiers,
   * without blocking the caller; this is what {@code @Cacheable(sync = true)} calls for a method
   * returning {@link CompletableFuture}. The lookup, the wait for another instance's load, and the
   * call of {@code valueLoader} run on the manager's retrieval executor, whose thread then waits
   * for the loader's future. Single flight holds as for {@link #get(Object, Callable)}.
   *
   * <p>The future completes with the value ({@code null} for a cached or loaded {@code null}), or
   * exceptionally with what {@code valueLoader} threw or its future failed with (unwrapped;
   * nothing is cached then). A loaded {@code null} while nulls are not allowed is returned and not
   * cached. If the executor refuses the work, {@code valueLoader} is called on the caller's thread
   * and its future returned as it is, uncached; refusals are logged and counted.
   *
   * @return a future, never {@code null}
   */
  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<T> retrieve(Object key,
      Supplier<CompletableFuture<T>> valueLoader) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(valueLoader, "valueLoader");
    CompletableFuture<T> result = new CompletableFuture<>();
    boolean submitted = retrievals.submit(() -> {
      try {
        result.complete((T) fromStoreValue(cache.get(key, k -> await(valueLoader))));
      } catch (LoaderFailure e) {
        result.completeExceptionally(e.getCause());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    return submitted ? result : valueLoader.get();
  }

  /** Runs on a retrieval thread: the store value of what the loader's future yields. */
  private @Nullable Object await(Supplier<? extends CompletableFuture<?>> valueLoader) {
    CompletableFuture<?> future = Objects.requireNonNull(valueLoader.get(),
        "valueLoader returned null instead of a CompletableFuture");
    Object value;
    try {
      value = future.join();
    } catch (CompletionException e) {
      throw new LoaderFailure(e.getCause() != null ? e.getCause() : e);
    } catch (CancellationException e) {
      throw new LoaderFailure(e);
    }
    // Null while nulls are refused: returned, and not cached (NearCache caches no null result).
    return value == null && !isAllowNullValues() ? null : toStoreValue(value);
  }

  /**
   * Writes {@code value} to Redis and announces it; no instance's L1 keeps the old value after
   * the message reached it. The next read on any instance fetches the new value from Redis.
   *
   * @throws IllegalArgumentException if {@code value} is null and nulls are not allowed
   */
  @Override
  public void put(Object key, @Nullable Object value) {
    cache.put(key, toStoreValue(value));
  }

  /**
   * Stores {@code value} if {@code key} has none, atomically across the fleet: it runs nearcache's
   * {@code get(key, loader)} with a loader that returns {@code value}, so the instance that wins
   * the key's lease stores its value and every other caller (of this JVM or another) gets that
   * value back.
   *
   * <p>While the lease holds, one writer wins. The guarantee weakens when the holder does not
   * finish within {@link CacheSpec#leaseTimeout()} (a long GC pause, a hung or dead JVM, a Redis
   * slower than the lease): another instance then takes the lease over and stores its own value,
   * while the first, whose lease is gone, writes nothing to Redis but still returns {@code null};
   * and a waiter that has waited twice the lease timeout returns {@code null} without storing.
   * With Redis unreachable each instance decides alone: {@code null} is returned, and the value
   * is not written to Redis.
   *
   * @return {@code null} if {@code value} was stored by this call, else a wrapper of the value
   *     that was there (or that the winning caller stored)
   * @throws IllegalArgumentException if {@code value} is null and nulls are not allowed
   */
  @Override
  public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
    Object storeValue = toStoreValue(value);
    AtomicBoolean stored = new AtomicBoolean();
    Object existing = cache.get(key, k -> {
      stored.set(true);
      return storeValue;
    });
    return stored.get() ? null : toValueWrapper(existing);
  }

  /** Removes {@code key} from Redis and every L1, at once (see the class documentation). */
  @Override
  public void evict(Object key) {
    cache.invalidate(key);
  }

  /**
   * Removes {@code key} from Redis and every L1, at once. Its prior presence is read (L1, else
   * Redis) just before the removal, which is not atomic with it: a write racing this call may be
   * removed without being reported.
   *
   * @return {@code true} if the key had a value, a cached {@code null} included, just before
   */
  @Override
  public boolean evictIfPresent(Object key) {
    boolean present = cache.getIfPresent(key) != null;
    cache.invalidate(key);
    return present;
  }

  /** Empties the cache in Redis and every L1, at once (see the class documentation). */
  @Override
  public void clear() {
    cache.invalidateAll();
  }

  /**
   * Empties the cache in Redis and every L1, at once: a new generation makes every Redis entry
   * unreachable without scanning for them, which is also why prior presence is not known.
   *
   * @return {@code false}: whether entries existed is not determined
   */
  @Override
  public boolean invalidate() {
    cache.invalidateAll();
    return false;
  }

  /**
   * How many {@code retrieve} calls of this cache the retrieval executor refused, so that they
   * went without the cache. For metrics and health checks.
   *
   * @return the count since the cache was created, never negative
   */
  public long rejectedRetrievals() {
    return retrievals.rejected();
  }

  /** Carries what a {@code retrieve} loader failed with through NearCache, to be unwrapped. */
  private static final class LoaderFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoaderFailure(Throwable cause) {
      super(cause);
    }
  }
}
