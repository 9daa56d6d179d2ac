package io.nearcache.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.nearcache.CacheSpec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Heap per L1 entry against bare Caffeine with the same bound and expiry: {@value #ENTRIES} entries
 * of a string key and a 100-byte value, the same key and value objects in every cache, so that only
 * what each cache adds per entry is counted. Each cache is measured alone, from its empty state to
 * full, as the used heap after full collections; nearcache's client and empty cache are part of the
 * empty state (their own size is reported apart). Two bounds: a count ({@code localMaxSize} against
 * {@code maximumSize}) and bytes ({@code localMaxBytes} against {@code maximumWeight} with a
 * weigher of the value's size), each with a one-hour {@code expireAfterWrite}.
 *
 * <p>Usage: {@code java -Xms3g -Xmx3g -cp benchmarks.jar io.nearcache.jmh.L1Footprint <out.json>}.
 * Redis: {@code REDIS_URL}, else a testkit server (nearcache's L1 is filled through it, by {@code
 * getAll} in batches of {@value #BATCH}).
 */
public final class L1Footprint {
  static final int ENTRIES = 1_000_000;
  private static final int VALUE_BYTES = 100;
  private static final int BATCH = 1_000;
  /** The bytes bound of both bytes-bounded caches: room for every entry. */
  private static final long MAX_BYTES = 2L * ENTRIES * VALUE_BYTES;
  private static final Duration TTL = Duration.ofHours(1);

  private final String[] keys = new String[ENTRIES];
  private final byte[][] values = new byte[ENTRIES][];
  private final Map<String, Integer> index = new HashMap<>(2 * ENTRIES);

  private L1Footprint() {
    for (int i = 0; i < ENTRIES; i++) {
      keys[i] = "key:" + i;
      values[i] = new byte[VALUE_BYTES];
      values[i][0] = (byte) i;
      index.put(keys[i], i);
    }
  }

  public static void main(String[] args) throws IOException {
    File out = new File(args[0]);
    Workload w = new Workload();
    w.workingSet = 1;
    w.setUp();
    try {
      L1Footprint harness = new L1Footprint();
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("entries", ENTRIES);
      result.put("valueBytes", VALUE_BYTES);
      result.put("caffeineCountBytesPerEntry", harness.caffeine(false));
      result.put("nearcacheCountBytesPerEntry", harness.nearcache(w, "localMaxSize=" + ENTRIES,
          result, "nearcacheEmptyClientBytes"));
      result.put("caffeineBytesBoundBytesPerEntry", harness.caffeine(true));
      result.put("nearcacheBytesBoundBytesPerEntry",
          harness.nearcache(w, "localMaxBytes=" + MAX_BYTES, result, null));
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
      System.out.println(result);
    } finally {
      w.tearDown();
    }
  }

  /** Bytes per entry of bare Caffeine, bounded by count or, with {@code weighed}, by bytes. */
  private double caffeine(boolean weighed) {
    long empty = Heap.usedAfterGc();
    Caffeine<Object, Object> builder = Caffeine.newBuilder().expireAfterWrite(TTL);
    Cache<String, byte[]> cache = weighed
        ? builder.maximumWeight(MAX_BYTES).<String, byte[]>weigher((k, v) -> v.length + 1).build()
        : builder.maximumSize(ENTRIES).build();
    for (int i = 0; i < ENTRIES; i++) {
      cache.put(keys[i], values[i]);
    }
    cache.cleanUp();
    require(cache.estimatedSize(), "Caffeine");
    double perEntry = (Heap.usedAfterGc() - empty) / (double) ENTRIES;
    cache.invalidateAll();
    return perEntry;
  }

  /**
   * Bytes per entry of nearcache's L1 under {@code bound}; records the empty client's own heap
   * under {@code emptyKey} when it is not {@code null}.
   */
  private double nearcache(Workload w, String bound, Map<String, Object> result,
      String emptyKey) {
    long before = Heap.usedAfterGc();
    try (NearCacheClient client = Peers.nearcache(w)) {
      NearCache<String, byte[]> cache = client.cache("footprint" + Math.abs(bound.hashCode()),
          CacheSpec.parse(bound + ",localTtl=1h,remoteTtl=1h"), new Bytes());
      long empty = Heap.usedAfterGc();
      if (emptyKey != null) {
        result.put(emptyKey, empty - before);
      }
      for (int from = 0; from < ENTRIES; from += BATCH) {
        List<String> batch = new ArrayList<>(BATCH);
        for (int i = from; i < Math.min(ENTRIES, from + BATCH); i++) {
          batch.add(keys[i]);
        }
        cache.getAll(batch, missing -> {
          Map<String, byte[]> found = new HashMap<>();
          missing.forEach(key -> found.put(key, values[index.get(key)]));
          return found;
        });
      }
      require(cache.estimatedSize(), "nearcache");
      return (Heap.usedAfterGc() - empty) / (double) ENTRIES;
    }
  }

  private static void require(long size, String what) {
    if (size < ENTRIES) {
      throw new IllegalStateException(what + " holds " + size + " of " + ENTRIES + " entries");
    }
  }

  /** Values as they are: the L1 holds the very arrays the loader returned. */
  private static final class Bytes implements Serializer<byte[]> {
    @Override
    public byte[] serialize(byte[] value) {
      return value;
    }

    @Override
    public byte[] deserialize(byte[] bytes) {
      return bytes;
    }
  }
}
