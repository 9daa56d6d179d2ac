package io.nearcache.jmh;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The benchmarks' value: a catalog product as a storefront's listing returns it, ten fields.
 *
 * @param description empty by default; the {@code valueSize} parameter pads it to grow the value
 */
public record Product(long id, String sku, String title, String description, BigDecimal price,
    String currency, List<String> tags, long categoryId, Instant createdAt, Instant updatedAt) {

  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * The product numbered {@code i}: a 40-character title, three tags, two timestamps.
   *
   * @param descriptionLength characters of description
   */
  public static Product number(long i, int descriptionLength) {
    String title = String.format("%-40.40s", "Organic cotton crew-neck t-shirt no. " + i);
    return new Product(i, "SKU-" + (100_000 + i), title, "d".repeat(descriptionLength),
        BigDecimal.valueOf(1999 + i % 5000, 2), "EUR",
        List.of("apparel", "cotton", "bestseller"), 1 + i % 40,
        EPOCH.plusSeconds(i * 60), EPOCH.plusSeconds(i * 60 + 86_400));
  }
}
