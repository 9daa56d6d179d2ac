package io.nearcache.examples.catalog;

import io.nearcache.CacheSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The TTLs and sizes of the catalog's three caches, read from {@code catalog-cache.properties}: one
 * {@link CacheSpec} string per cache, so that every mode reads the same table.
 */
public record CacheSettings(CacheSpec listing, CacheSpec product, CacheSpec category) {

  /**
   * The settings on the classpath.
   *
   * @throws IllegalStateException if the file or one of its three entries is missing
   * @throws IllegalArgumentException if an entry is not a valid spec, naming the problem
   */
  public static CacheSettings load() {
    Properties p = new Properties();
    try (InputStream in = CacheSettings.class.getResourceAsStream("/catalog-cache.properties")) {
      if (in == null) {
        throw new IllegalStateException("catalog-cache.properties is not on the classpath");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CacheSettings(spec(p, "listing"), spec(p, "product"), spec(p, "category"));
  }

  private static CacheSpec spec(Properties p, String cache) {
    String spec = p.getProperty(cache);
    if (spec == null) {
      throw new IllegalStateException("catalog-cache.properties has no entry for " + cache);
    }
    return CacheSpec.parse(spec);
  }
}
