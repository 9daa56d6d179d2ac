package io.nearcache.internal;

import io.nearcache.CacheSpec;
import io.nearcache.CacheStats;
import io.nearcache.KeyCodec;
import io.nearcache.NearCache;
import io.nearcache.Serializer;
import io.nearcache.internal.invalidation.InvalidationLog;
import io.nearcache.internal.invalidation.InvalidationMessage;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.l1.LocalStore;
import io.nearcache.internal.l1.LocalStore.Reservation;
import io.nearcache.internal.l2.Frame;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.stats.StatsCounter;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The {@link NearCache} behind {@link io.nearcache.NearCacheClient#cache}: L1 in a {@link
 * LocalStore}, misses through {@link ReadThrough}, mutations through {@link RemoteStore}'s scripts,
 * which announce them in the same atomic step. Not API.
 *
 * <p>Every L1 fill goes through a reservation made before the fetch began (see {@link
 * LocalStore}), so a value read from L2 or a loader before an invalidation of its key, or of the
 * whole cache, arrived never enters L1 after it, on this instance or any other. Writes change L2
 * first and L1 second, so that a read of this instance that reserves after the L1 step sees the
 * new L2.
 */
public final class DefaultNearCache<K, V> implements NearCache<K, V> {
  private static final Logger log = LoggerFactory.getLogger(DefaultNearCache.class);

  private final String name;
  private final KeyCodec<K> keyCodec;
  private final Serializer<V> serializer;
  private final LocalStore<V> local;
  private final RemoteStore remote;
  private final ReadThrough<K, V> readThrough;
  private final StatsCounter stats;
  private final RedisErrors errors;
  private final WriteRetries retries;
  private final Contact contact;
  private final BooleanSupplier clientOpen;
  private final SlotGroups groups;
  private final Tagging<V> tagging;
  private final Duration tagTtl;
  private final boolean refreshes;
  private final Executor refresher;
  private final ConcurrentHashMap<String, CompletableFuture<V>> loads = new ConcurrentHashMap<>();

  /**
   * Creates a cache: its client calls this, users {@link io.nearcache.NearCacheClient#cache}.
   *
   * @param tagsOf the tags of a value, {@code null} for a cache without tags
   */
  public DefaultNearCache(String name, CacheSpec spec, KeyCodec<K> keyCodec,
      Serializer<V> serializer, Function<? super V, ? extends Collection<String>> tagsOf,
      RemoteStore remote, ClientServices client) {
    this.name = name;
    this.keyCodec = keyCodec;
    this.serializer = serializer;
    this.local = new LocalStore<>(spec, client.clock(), client.l1Maintenance(), tagsOf != null);
    this.remote = remote;
    this.stats = spec.recordStats() ? StatsCounter.concurrent() : StatsCounter.disabled();
    this.errors = new RedisErrors(name, stats);
    this.tagging = new Tagging<>(tagsOf, remote, errors);
    // A value loaded before a tag invalidation may be written up to a lease later and then lives
    // its TTL: the tag's record must outlive it, or the value would become current again.
    this.tagTtl = spec.remoteTtl().plus(spec.staleIfError())
        .plus(spec.leaseTimeout().multipliedBy(2));
    this.refreshes = !spec.refreshAfter().isZero();
    this.refresher = client.refresher();
    this.readThrough = new ReadThrough<>(name, spec, serializer, remote, stats, errors, tagging);
    this.retries = client.retries();
    this.contact = client.contact();
    this.clientOpen = client.open();
    this.groups = client.groups();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public V get(K key, Function<? super K, ? extends V> loader) {
    String k = encode(key);
    Objects.requireNonNull(loader, "loader");
    Object found = lookUp(k);
    if (found == LocalStore.MISS) {
      return loadOnce(key, k, loader);
    }
    if (refreshes) {
      refreshIfDue(key, k, loader);
    }
    return cast(found);
  }

  /**
   * Starts the refresh of {@code k} on the refresh executor if its L1 entry is older than {@code
   * refreshAfter} and this node has not started one for it yet; the caller is served at once.
   */
  private void refreshIfDue(K key, String k, Function<? super K, ? extends V> loader) {
    Object slot = local.claimRefresh(k);
    if (slot == null) {
      return;
    }
    try {
      refresher.execute(() -> refresh(key, k, loader, slot));
    } catch (RejectedExecutionException e) {
      local.unclaim(slot); // a later read tries again
      stats.recordRefreshFailure();
      log.debug("cache {}: the refresh executor refused the refresh of {}", name, k, e);
    }
  }

  /**
   * Refreshes {@code k} (see {@link ReadThrough#refresh}). Whatever happens, the entry stays
   * claimed, so a failing loader is not called again by every read: the old value is served until
   * its TTL, or until the announced change drops it.
   */
  private void refresh(K key, String k, Function<? super K, ? extends V> loader, Object slot) {
    try {
      switch (readThrough.refresh(key, k, loader, tagging.epochForLoad())) {
        case REPLACED -> {
          stats.recordRefresh();
          drop(k); // announced to the others; this node reads the new value from L2
        }
        case SUPERSEDED -> stats.recordRefresh(); // the write that won is announced
        case FRESHER -> local.unfill(k, slot); // loaded after it expired there: read that
        case HELD -> { } // another's refresh is announced
      }
    } catch (JedisException e) {
      stats.recordRefreshFailure();
      errors.record("refresh", k, e);
    } catch (RuntimeException e) {
      stats.recordRefreshFailure();
      log.warn("cache {}: the refresh of {} failed; serving the old value until it expires: {}",
          name, k, e.toString());
    }
  }

  @Override
  public V getIfPresent(K key) {
    String k = encode(key);
    Object found = lookUp(k);
    if (found != LocalStore.MISS) {
      return cast(found);
    }
    return throughL1(k, tagEpoch -> readThrough.readRemote(k));
  }

  /** Joins the load of {@code k} in flight in this JVM, or runs it. */
  private V loadOnce(K key, String k, Function<? super K, ? extends V> loader) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> theirs = loads.putIfAbsent(k, mine);
    if (theirs != null) {
      return join(theirs);
    }
    try {
      V value = load(key, k, loader);
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
    return throughL1(k, tagEpoch -> readThrough.fetch(key, k, loader, tagEpoch));
  }

  /**
   * The one way a miss of a single key fills L1: reserve, fetch, fill if no invalidation came
   * since the reservation, release.
   *
   * @param fetch from the tag epoch as the fetch begins, the value or "no value" from L2 or a
   *     loader, or {@code null} for none
   */
  private V throughL1(String k, LongFunction<Fetched<V>> fetch) {
    Object slot = local.reserve(k);
    if (!(slot instanceof Reservation reservation)) {
      // A load that finished between our L1 miss and our turn has filled L1 already; out of
      // contact, that entry cannot be trusted and stays where it is, unused.
      return contact.trusted(k) ? cast(slot) : valueOrNull(fetch.apply(tagging.epochForLoad()));
    }
    try {
      long tagEpoch = tagging.epochForLoad();
      Fetched<V> fetched = fetch.apply(tagEpoch);
      return fetched == null ? null : fill(k, reservation, fetched, tagEpoch);
    } finally {
      local.release(k, reservation);
    }
  }

  /**
   * Puts a fetched value in L1 if it may go there, the client is in contact, and no invalidation
   * came since the fetch began: of its key, of the whole cache, or of one of its tags since {@code
   * tagEpoch}. A tagged value goes in first and is checked after, so that a tag invalidation
   * either finds it in L1's tag index or is found by the check.
   */
  private V fill(String k, Reservation reservation, Fetched<V> fetched, long tagEpoch) {
    if (!fetched.cacheable() || !contact.trusted(k)) {
      return fetched.value();
    }
    String[] tags = fetched.tags();
    if (tags.length == 0) {
      local.fill(k, reservation, fetched.value(), fetched.encodedSize());
    } else if (tagging.tagged()) {
      Object slot = local.fill(k, reservation, fetched.value(), fetched.encodedSize(), tags);
      if (slot != null && !tagging.isCurrent(k, List.of(tags), tagEpoch)) {
        local.unfill(k, slot);
      }
    }
    return fetched.value();
  }

  /**
   * What L1 may serve for {@code k} ({@link LocalStore#get}'s answer, or {@code MISS} out of
   * contact), counted as a hit or a miss: the whole hit path. The closed check is left to the
   * miss, because a closed client is never in contact.
   *
   * @throws IllegalStateException on a miss, if the client is closed
   */
  private Object lookUp(String k) {
    Object found = local.get(k);
    if (found != LocalStore.MISS && contact.trusted(k)) {
      stats.recordL1Hit();
      return found;
    }
    ensureOpen();
    stats.recordL1Miss();
    return LocalStore.MISS;
  }

  private static <V> V valueOrNull(Fetched<V> fetched) {
    return fetched == null ? null : fetched.value();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The loads of others are joined only after this call's own load is done, so that two calls
   * each joining the other's keys cannot wait on each other.
   */
  @Override
  public Map<K, V> getAll(Iterable<? extends K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(bulkLoader, "bulkLoader");
    ensureOpen();
    Map<String, K> requested = new LinkedHashMap<>();
    for (K key : keys) {
      requested.put(encode(key), key);
    }
    Map<String, V> found = new LinkedHashMap<>();
    Map<String, K> missing = new LinkedHashMap<>();
    Map<String, Reservation> reservations = new LinkedHashMap<>();
    Map<String, CompletableFuture<V>> mine = new LinkedHashMap<>();
    Map<String, CompletableFuture<V>> theirs = new LinkedHashMap<>();
    try {
      requested.forEach((k, key) -> {
        Object hit = lookUp(k);
        if (hit != LocalStore.MISS) {
          found.put(k, cast(hit));
          return;
        }
        CompletableFuture<V> load = new CompletableFuture<>();
        CompletableFuture<V> inFlight = loads.putIfAbsent(k, load);
        if (inFlight != null) {
          theirs.put(k, inFlight);
          return;
        }
        mine.put(k, load);
        Object slot = local.reserve(k);
        if (slot instanceof Reservation reservation) {
          reservations.put(k, reservation);
          missing.put(k, key);
        } else if (contact.trusted(k)) {
          found.put(k, cast(slot));
        } else {
          missing.put(k, key);
        }
      });
      if (!missing.isEmpty()) {
        long tagEpoch = tagging.epochForLoad();
        readThrough.fetchAll(missing, bulkLoader, tagEpoch).forEach((k, fetched) -> {
          Reservation reservation = reservations.get(k);
          found.put(k, reservation == null ? fetched.value()
              : fill(k, reservation, fetched, tagEpoch));
        });
      }
      mine.forEach((k, load) -> load.complete(found.get(k)));
    } catch (RuntimeException | Error e) {
      mine.values().forEach(load -> load.completeExceptionally(e));
      throw e;
    } finally {
      reservations.forEach(local::release);
      mine.forEach(loads::remove);
    }
    theirs.forEach((k, load) -> found.put(k, join(load)));
    Map<K, V> result = new LinkedHashMap<>();
    requested.forEach((k, key) -> {
      V value = found.get(k);
      if (value != null) {
        result.put(key, value);
      }
    });
    return Collections.unmodifiableMap(result);
  }

  @Override
  public void put(K key, V value) {
    ensureOpen();
    String k = encode(key);
    Objects.requireNonNull(value, "value");
    List<String> tags = tagging.tagsOf(value);
    byte[] payload = serializer.serialize(value);
    try {
      byte[] frame = tags.isEmpty() ? Frame.ofValue(payload)
          : Frame.ofTagged(payload, tags, tagging.epochForLoad());
      if (readThrough.fitsRemote(k, frame)) {
        remote.set(k, frame);
      } else {
        remote.delete(k); // the old value must not outlive the write
      }
      // After L2: a read of this instance that reserves from now on fetches the new value, and a
      // fetch that began before it is refused its fill. The script announced it to the others.
      drop(k);
    } catch (JedisException e) {
      writeFailed("put", k, e);
    }
  }

  @Override
  public void invalidate(K key) {
    ensureOpen();
    String k = encode(key);
    try {
      remote.delete(k);
      drop(k);
    } catch (JedisException e) {
      writeFailed("invalidate", k, e);
    }
  }

  @Override
  public void invalidateAll() {
    ensureOpen();
    try {
      remote.bumpGeneration();
      dropAll();
    } catch (JedisException e) {
      dropAll();
      errors.record("invalidateAll", "the whole cache", e);
      retries.addWholeCache(this);
    }
  }

  @Override
  public void invalidateTag(String tag) {
    invalidateTags(List.of(Objects.requireNonNull(tag, "tag")));
  }

  @Override
  public void invalidateTags(Collection<String> tags) {
    ensureOpen();
    List<String> checked = Tagging.checked(Objects.requireNonNull(tags, "tags"));
    if (checked.isEmpty()) {
      return;
    }
    try {
      long epoch = remote.invalidateTags(checked, tagTtl);
      dropTagged(checked, epoch);
    } catch (JedisException e) {
      // Retried as the whole cache: the retry queue holds keys and caches, and a wider drop is
      // never stale.
      dropAll();
      errors.record("invalidateTags", checked.size() == 1 ? "tag " + checked.get(0)
          : checked.size() + " tags", e);
      retries.addWholeCache(this);
    }
  }

  /**
   * Applies the invalidation of {@code tags} in tag epoch {@code epoch}: recorded first, so that a
   * fill racing it either is found in L1's tag index or finds the record; then every entry with
   * one of the tags dropped, and every load in flight detached (its tags are not known yet).
   */
  private void dropTagged(List<String> tags, long epoch) {
    tagging.heard(tags, epoch);
    local.invalidateTags(tags);
    loads.clear();
  }

  /** A write could not reach Redis: drop the key here and keep its invalidation for a retry. */
  private void writeFailed(String operation, String k, JedisException e) {
    drop(k);
    errors.record(operation, k, e);
    retries.addKey(this, k);
  }

  /**
   * Redoes a queued invalidation: delete {@code k} from L2, announced. Called by {@link
   * WriteRetries}.
   *
   * @throws JedisException if Redis is still unavailable
   */
  void redoInvalidate(String k) {
    remote.delete(k);
    // This instance skips its own announcement, and a read may have filled L1 from L2's old value
    // since the write failed: drop that here, and detach a fill still in flight.
    drop(k);
  }

  /**
   * Redoes a queued whole-cache invalidation. Called by {@link WriteRetries}.
   *
   * @throws JedisException if Redis is still unavailable
   */
  void redoInvalidateAll() {
    remote.bumpGeneration();
    dropAll(); // as for a key: this instance does not hear its own announcement
  }

  /**
   * Drops {@code k} from L1, its reservation included, and detaches the load of it in flight, so
   * that a read starting now neither joins a load that began before the invalidation nor sees its
   * result enter L1.
   */
  private void drop(String k) {
    local.invalidate(k);
    loads.remove(k);
  }

  /** {@link #drop} for every key. */
  private void dropAll() {
    local.invalidateAll();
    loads.clear();
  }

  @Override
  public CacheStats stats() {
    return stats.snapshot();
  }

  /**
   * Applies another instance's invalidation. Called on the subscriber thread.
   *
   * @param message a message about this cache
   */
  public void onInvalidation(InvalidationMessage message) {
    switch (message.kind()) {
      case WHOLE_CACHE -> {
        remote.advanceGeneration(message.generation());
        dropAll();
      }
      case TAGS -> dropTagged(message.keys(), message.generation());
      case KEYS -> message.keys().forEach(this::drop);
    }
  }

  /**
   * Applies an invalidation this instance missed, found in the invalidation log. Called by {@link
   * Contact} on the maintenance thread.
   */
  void replay(InvalidationLog.Entry entry) {
    stats.recordReplayedInvalidation();
    if (entry instanceof InvalidationLog.CacheCleared cleared) {
      remote.advanceGeneration(cleared.generation());
      dropAll();
    } else if (entry instanceof InvalidationLog.TagsInvalidated tags) {
      dropTagged(tags.tags(), tags.epoch());
    } else {
      drop(((InvalidationLog.KeyChanged) entry).key());
    }
  }

  /**
   * Drops every L1 entry of slot group {@code group}, counted as a flush: its missed changes can no
   * longer be told apart. Group 0's log also holds the whole-cache invalidations, so dropping it
   * drops all of L1 and reads the generation again before the next L2 call. Called by {@link
   * Contact}.
   */
  void flushGroup(int group) {
    stats.recordFlush();
    if (group == 0) {
      remote.forgetGeneration();
      tagging.forget();
      dropAll();
    } else {
      dropGroup(group);
    }
  }

  /**
   * {@link #flushGroup} of every group at once, on the subscriber thread: one clear of L1, not a
   * pass over it per group. Called by {@link Contact}.
   */
  void flushAll() {
    for (int group = 0; group < groups.count(); group++) {
      stats.recordFlush();
    }
    remote.forgetGeneration();
    tagging.forget();
    dropAll();
  }

  /**
   * Makes unreachable the L2 values of this cache that a failover may have rolled back: the server
   * of one of its groups lost acknowledged writes ({@code loss} names the group and its new
   * history), so L2 may hold a value whose overwrite or invalidation is gone. The cache moves to
   * a new generation, announced to every instance, unless one already did so for the same loss.
   * Called by {@link Contact} after it dropped the group from L1.
   *
   * @throws JedisException if Redis cannot be reached; the caller retries
   */
  void healAfterLoss(String loss) {
    remote.bumpGenerationOnce(loss);
  }

  /** The keys of L1 now, weakly consistent, for {@link ConsistencySampler}. */
  Iterator<String> localKeys() {
    return local.keys();
  }

  /**
   * What {@link ConsistencySampler} compares for {@code k}: the L1 entry and, framed as this cache
   * would write it, whether Redis holds the same. {@code null} when there is nothing to compare:
   * L1 serves no entry of {@code k} older than {@code minAge}, the key's group is out of step (L1
   * is not served then), or Redis holds no value of it (expired there, or evicted) or bytes that
   * are no frame. Counts a sampled entry otherwise. Reads Redis on the calling thread.
   *
   * @throws JedisException if Redis cannot be read
   * @throws io.nearcache.SerializationException if the L1 value cannot be encoded
   */
  Sample sample(String k, Duration minAge) {
    LocalStore.Held held = local.held(k);
    if (held == null || held.age().compareTo(minAge) < 0 || !contact.trusted(k)) {
      return null;
    }
    byte[] stored = remote.get(k);
    if (stored == null) {
      return null;
    }
    V value = cast(held.value());
    Frame.Tags tags;
    try {
      tags = Frame.tags(stored);
    } catch (IllegalArgumentException e) {
      return null; // not a frame: the next read of it deletes it, counted as a decode error
    }
    // Compared with the tags and epoch Redis holds: the value is what must match.
    byte[] mine = tags == null ? Frame.of(serializer, value)
        : Frame.of(serializer, value, tags.tags(), tags.epoch());
    stats.recordSampledEntry();
    return new Sample(held.slot(), Arrays.equals(mine, stored));
  }

  /**
   * A sampled L1 entry.
   *
   * @param slot the L1 slot: the same object later means no fill or invalidation came between
   * @param matches whether Redis held the same bytes
   */
  record Sample(Object slot, boolean matches) {}

  /**
   * Drops {@code k} from L1 if it still holds {@code slot}, counted and logged as a stale entry:
   * the sampler saw it differ from Redis longer than the propagation bound allows. Called by
   * {@link ConsistencySampler}.
   */
  void dropStale(String k, Object slot, Duration bound) {
    LocalStore.Held held = local.held(k);
    if (held == null || held.slot() != slot) {
      return; // refilled or invalidated meanwhile: not this entry any more
    }
    stats.recordStaleEntry();
    log.warn("cache {}: the L1 entry of {} differed from Redis for over {}; it was stale, an"
        + " invalidation did not reach this instance. Dropped.", name, k, bound);
    drop(k);
  }

  /** {@link #drop} for every key of slot group {@code group}. Called by {@link Contact}. */
  void dropGroup(int group) {
    local.invalidateIf(k -> groups.of(k) == group);
    loads.keySet().removeIf(k -> groups.of(k) == group);
  }

  /**
   * Whether L1 is served now: the client is in contact, with every group's changes applied. Not
   * API; for tests.
   *
   * @return {@code true} while L1 hits are served
   */
  public boolean servesL1() {
    return contact.trusted();
  }

  @Override
  public long estimatedSize() {
    return local.estimatedSize();
  }

  /**
   * The L1 value of {@code key}, without touching Redis or stats. Not API; for tests.
   *
   * @param key the key
   * @return the value, or {@code null} if L1 holds none (or holds "no value")
   */
  public V peekLocal(K key) {
    Object found = local.get(encode(key));
    return found == LocalStore.MISS ? null : cast(found);
  }

  /** The canonical string of {@code key}; the caller checks that the client is open. */
  private String encode(K key) {
    Objects.requireNonNull(key, "key");
    return Objects.requireNonNull(keyCodec.encode(key), "keyCodec returned null");
  }

  private void ensureOpen() {
    if (!clientOpen.getAsBoolean()) {
      throw new IllegalStateException("NearCacheClient is closed");
    }
  }

  /** A value found in L1, which holds only this cache's values ({@code null}: "no value"). */
  @SuppressWarnings("unchecked")
  private static <V> V cast(Object found) {
    return (V) found;
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
