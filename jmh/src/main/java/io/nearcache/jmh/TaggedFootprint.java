package io.nearcache.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Heap per L1 entry, tagged against untagged: fills one cache's L1 with {@value #ENTRIES} products
 * (the same product objects for both, so only the entries differ), measures the used heap after
 * full collections, and reports the bytes each entry costs over an empty client. The tagged cache
 * tags each product with its id and its category (two tags; 40 categories): the tag index holds
 * one small map per product tag and one large one per category.
 *
 * <p>The keys are the workload's own strings, also shared; each entry's tag strings are made by
 * the tag function on its load, as an application's would be.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.TaggedFootprint <out.json>}. Redis:
 * {@code REDIS_URL}, else a testkit server.
 */
public final class TaggedFootprint {
  private static final int ENTRIES = 200_000;
  private static final int BATCH = 1_000;

  private TaggedFootprint() {}

  public static void main(String[] args) throws IOException {
    File out = new File(args[0]);
    Workload w = new Workload();
    w.workingSet = ENTRIES;
    w.setUp();
    try {
      Product[] products = new Product[ENTRIES];
      for (int i = 0; i < ENTRIES; i++) {
        products[i] = w.product(i);
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("entries", ENTRIES);
      double untagged = bytesPerEntry(w, products,
          (client, work) -> Peers.products(client, work, ENTRIES));
      double tagged = bytesPerEntry(w, products,
          (client, work) -> Peers.taggedProducts(client, work, ENTRIES));
      result.put("untaggedBytesPerEntry", untagged);
      result.put("taggedBytesPerEntry", tagged);
      result.put("tagsPerEntry", 2);
      result.put("tagBytesPerEntry", tagged - untagged);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
      System.out.println(result);
    } finally {
      w.tearDown();
    }
  }

  /**
   * The heap one entry of the cache {@code create} makes costs, filled with {@code products}:
   * objects both caches share, so that only the entries (keys included) are counted.
   */
  private static double bytesPerEntry(Workload w, Product[] products,
      BiFunction<NearCacheClient, Workload, NearCache<String, Product>> create) {
    try (NearCacheClient client = Peers.nearcache(w)) {
      NearCache<String, Product> cache = create.apply(client, w);
      long empty = Heap.usedAfterGc();
      for (int from = 0; from < ENTRIES; from += BATCH) {
        List<String> keys = new ArrayList<>();
        for (int i = from; i < Math.min(ENTRIES, from + BATCH); i++) {
          keys.add(w.keys[i]);
        }
        cache.getAll(keys, missing -> {
          Map<String, Product> found = new LinkedHashMap<>();
          missing.forEach(key -> found.put(key, products[indexOf(key)]));
          return found;
        });
      }
      if (cache.estimatedSize() < ENTRIES) {
        throw new IllegalStateException("L1 holds " + cache.estimatedSize() + " of " + ENTRIES);
      }
      return (Heap.usedAfterGc() - empty) / (double) ENTRIES;
    }
  }

  /** The index of a workload key, {@code product:<i>}. */
  private static int indexOf(String key) {
    return Integer.parseInt(key.substring(key.indexOf(':') + 1));
  }
}
