package io.nearcache.examples.catalog;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of {@code GET /store/products}: a page ({@code limit}, {@code offset}), an
 * optional category handle and an optional search term matched against titles.
 */
public record ListingQuery(int limit, int offset, String category, String q) {
  /** The most products one page may ask for. */
  public static final int MAX_LIMIT = 100;
  /** The page size when the request names none, as Medusa's store API. */
  public static final int DEFAULT_LIMIT = 20;

  /**
   * Checks the bounds.
   *
   * @throws IllegalArgumentException if {@code limit} is not 1 to {@link #MAX_LIMIT} or {@code
   *     offset} is negative
   */
  public ListingQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ": " + limit);
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    category = blankToNull(category);
    q = blankToNull(q);
    if (q != null) {
      q = q.toLowerCase(Locale.ROOT); // titles are matched ignoring case, so keys ignore it too
    }
  }

  /**
   * The query as a structured cache key: the parameters by name, absent ones left out, so that
   * {@code ?category=shoes&limit=20} and {@code ?limit=20&category=shoes} share an entry.
   */
  public Map<String, Object> asKey() {
    Map<String, Object> key = new LinkedHashMap<>();
    key.put("limit", limit);
    key.put("offset", offset);
    if (category != null) {
      key.put("category", category);
    }
    if (q != null) {
      key.put("q", q);
    }
    return key;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
