package io.nearcache;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A two-tier cache: a local Caffeine cache (L1, objects) in front of Redis (L2, bytes), kept honest
 * across JVMs by invalidation messages on Redis pub/sub.
 *
 * <p>Instances come from {@link NearCacheClient#cache}; the implementation is not public. All
 * methods are thread-safe.
 *
 * <p><b>Guarantees.</b>
 * <ul>
 *   <li>An L1 hit does no I/O.
 *   <li>Within one JVM, concurrent {@link #get} calls that miss L1 for the same key share one load:
 *       one Redis read and at most one loader call; the others wait for its result. No lock is held
 *       across Redis or loader I/O that would block other keys.
 *   <li>Across JVMs, a key missing from both tiers is loaded by one instance at a time: the one
 *       holding the key's lease in Redis ({@link CacheSpec#leaseTimeout()}); the others wait for
 *       its value. If the holder dies or hangs, another takes over once the lease expires; a waiter
 *       that waits more than twice the lease timeout loads by itself and writes nothing to L2.
 *   <li>A value read from L2 or a loader before an invalidation (or write) of its key arrived never
 *       enters L1 after it, and a loaded value computed before an invalidation or write of its key
 *       is never written to L2 after it.
 *   <li>With {@link CacheSpec#nullTtl()} set, "no value" (a {@code null} loader result) is cached
 *       in both tiers for that long, so repeated lookups of something missing do not reach the
 *       loader.
 *   <li>{@link #put}, {@link #invalidate} and {@link #invalidateAll} publish an invalidation, in
 *       the same atomic step as the change in Redis, that makes every other instance drop the
 *       entry from its L1 once the message arrives (pub/sub delivery on loopback takes well under
 *       a millisecond); a writer that dies right after its write has announced it. An instance
 *       that may have missed messages serves no L1 entry until it has replayed the changes it
 *       missed from the invalidation log, and drops the part of L1 the log cannot repair. In every
 *       case no L1 entry lives longer than {@link CacheSpec#localTtl()}.
 *   <li>Filling L2 after a miss publishes nothing: only real mutations are broadcast.
 * </ul>
 *
 * <p><b>Failure behaviour.</b> A Redis failure on the read path never reaches the caller: it is
 * counted in {@link CacheStats#redisErrors()}, logged, and the read goes on to the loader. Bytes in
 * Redis that fail to decode count as a miss, are deleted and counted in {@link
 * CacheStats#decodeErrors()}. A value whose encoding exceeds {@link CacheSpec#maxValueBytes()} is
 * served and kept in L1 but not written to Redis ({@link CacheStats#oversizedValues()}). A write
 * ({@link #put}, {@link #invalidate}, {@link #invalidateAll}) that cannot reach Redis does not fail
 * either: it drops the local entry and keeps the invalidation (bounded) until Redis is back, then
 * deletes the key from Redis and publishes it; when too many pile up, the whole cache is
 * invalidated instead. Every Redis call is bounded by the client's timeout, and after repeated
 * failures a circuit breaker stops calling Redis for a cool-down. After the owning client is
 * closed, every method throws {@link IllegalStateException}.
 *
 * @param <K> the key type; keys are turned into strings by the cache's {@link KeyCodec}
 * @param <V> the value type; values are turned into bytes by the cache's {@link Serializer}
 */
public interface NearCache<K, V> {

  /**
   * Returns the cache's name, as given to {@link NearCacheClient#cache}.
   *
   * @return the name, never {@code null}
   */
  String name();

  /**
   * Returns the value for {@code key} from L1, else from L2 (filling L1), else {@code null}. Never
   * calls a loader.
   *
   * @param key the key
   * @return the cached value, or {@code null} if neither tier holds one (or Redis failed)
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if the key cannot be encoded (see {@link KeyCodec})
   */
  V getIfPresent(K key);

  /**
   * Returns the value for {@code key}, loading it if neither tier holds it (read-through).
   *
   * <p>L1 hit: returned with no I/O. L1 miss: one load per key per JVM however many threads ask;
   * the loader runs only if L2 misses too and this instance gets the key's lease (or waited past
   * its bound), and its non-null result is written to L2 with {@link CacheSpec#remoteTtl()} and to
   * L1. A {@code null} loader result is returned, and cached only with {@link CacheSpec#nullTtl()}.
   *
   * @param key the key
   * @param loader computes the value on a miss of both tiers; it must not call this cache
   *     recursively for the same key
   * @return the value, or {@code null} if the loader returned (or a cached "no value" says it
   *     returned) {@code null}
   * @throws NullPointerException if {@code key} or {@code loader} is null
   * @throws IllegalArgumentException if the key cannot be encoded (see {@link KeyCodec})
   * @throws RuntimeException what the loader threw, unchanged, to every caller that joined the
   *     load; nothing is cached then
   * @throws SerializationException if the loaded value cannot be encoded
   */
  V get(K key, Function<? super K, ? extends V> loader);

  /**
   * Returns the values for {@code keys}: L1 first, then one Redis round trip for all L1 misses,
   * then one {@code bulkLoader} call for the keys neither tier holds, whose results are written to
   * L2 in one more round trip and to L1.
   *
   * <p>Single flight, key by key, as {@link #get}: a missing key whose load is already in flight
   * in this JVM (a {@code get}'s or another {@code getAll}'s) is not passed to {@code bulkLoader};
   * its value comes from that load, and if that load's loader throws, so does this call. While
   * this call loads its keys, a {@code get} or {@code getAll} of them joins its load.
   *
   * @param keys the keys; duplicates are looked up once
   * @param bulkLoader receives the unmodifiable set of keys still missing (and whose leases this
   *     instance holds, or whose wait timed out) and returns the values it found; keys it leaves
   *     out (or maps to {@code null}) are absent from the result and cached as "no value" only
   *     with {@link CacheSpec#nullTtl()}; entries for keys that were not asked for are ignored. It
   *     may be called twice when other instances were loading some of the keys. It must not read
   *     from this cache the keys it was given: such a read would wait for its own load
   * @return an unmodifiable map of the keys that have a value, in the iteration order of {@code
   *     keys}
   * @throws NullPointerException if {@code keys}, any key, or {@code bulkLoader} is null, or the
   *     bulk loader returned {@code null}
   * @throws IllegalArgumentException if a key cannot be encoded (see {@link KeyCodec})
   * @throws RuntimeException what the bulk loader threw, unchanged; nothing is cached then
   */
  Map<K, V> getAll(
      Iterable<? extends K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

  /**
   * Writes {@code value} to L2 (with {@link CacheSpec#remoteTtl()}), dropping any load lease of the
   * key so that a load that began before this write cannot overwrite it, then drops this instance's
   * L1 copy and publishes an invalidation so that other instances drop theirs. The next read of any
   * instance fetches the value from L2. Returns after the invalidation was published, or queued
   * for Redis' return when Redis cannot be reached (see the failure behaviour above).
   *
   * <p>L1 is emptied rather than filled because two writers of one key may reach L2 and L1 in
   * different orders; L2 alone decides which write won.
   *
   * @param key the key
   * @param value the new value
   * @throws NullPointerException if {@code key} or {@code value} is null
   * @throws IllegalArgumentException if the key cannot be encoded (see {@link KeyCodec})
   * @throws SerializationException if the value cannot be encoded; nothing changed then
   */
  void put(K key, V value);

  /**
   * Deletes {@code key} (and any load lease of it) from L2, then from this instance's L1, then
   * publishes an invalidation so that other instances drop it too. A load that began before this
   * call writes its result neither to L2 nor to any L1. Returns after the invalidation was
   * published, or queued for Redis' return when Redis cannot be reached.
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if the key cannot be encoded (see {@link KeyCodec})
   */
  void invalidate(K key);

  /**
   * Empties this cache in every instance: bumps the cache's generation in Redis, which makes every
   * existing L2 entry unreachable at once (they expire by their TTL; no KEYS or SCAN runs), clears
   * this instance's L1 and publishes a whole-cache invalidation.
   *
   */
  void invalidateAll();

  /**
   * Invalidates every entry carrying {@code tag}, in every instance: {@link #invalidateTags} of
   * one tag.
   *
   * @param tag the tag
   * @throws NullPointerException if {@code tag} is null
   * @throws IllegalArgumentException if the tag is empty or holds U+0000
   */
  void invalidateTag(String tag);

  /**
   * Invalidates every entry carrying any of {@code tags}, in every instance, with the guarantees
   * of {@link #invalidate}: the entries leave this instance's L1 before this returns and every
   * other instance's once the message arrives; their L2 values are unreachable at once; a load
   * that began before this call enters neither tier afterwards; an instance that missed the
   * message replays it from the log. Tags come from the tag function given to {@link
   * NearCacheClient#cache(String, CacheSpec, KeyCodec, Serializer, Function)}; a cache without
   * one holds no tagged entries, and this call then only costs its Redis round trip.
   *
   * <p>No SCAN, KEYS or multi-slot script runs: Redis numbers the cache's tag invalidations and
   * records, per tag, the number it was last invalidated in; every value carries the number its
   * load began in, and a value one of whose tags was invalidated later is read as a miss. That
   * record lives as long as a value loaded before it can ({@link CacheSpec#remoteTtl()} plus twice
   * the lease timeout): one small key per tag invalidated in that time.
   *
   * <p>If Redis cannot be reached, this instance drops its whole L1 for the cache and the call is
   * retried as {@link #invalidateAll()} once Redis is back (see the failure behaviour above).
   *
   * @param tags the tags; duplicates count once, and none is a no-op
   * @throws NullPointerException if {@code tags} or a tag is null
   * @throws IllegalArgumentException if a tag is empty or holds U+0000
   */
  void invalidateTags(Collection<String> tags);

  /**
   * Returns a snapshot of this cache's counters on this instance. With {@link
   * CacheSpec#recordStats()} off it is always {@link CacheStats#empty()}.
   *
   * @return an immutable snapshot
   */
  CacheStats stats();

  /**
   * Returns about how many entries this JVM's L1 holds for this cache now: values, "no value"
   * entries and loads in flight, expired entries not yet cleaned up included. Touches neither
   * Redis nor the statistics. For metrics and sizing, not for logic.
   *
   * @return the estimate, never negative
   */
  long estimatedSize();
}
