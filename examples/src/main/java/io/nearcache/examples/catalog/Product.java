package io.nearcache.examples.catalog;

import java.time.Instant;
import java.util.List;

/**
 * A product as the store API returns it, with the relations Medusa's {@code listAndCount} loads:
 * its category, variants with their prices, and images.
 */
public record Product(long id, String handle, String title, String description, String category,
    String thumbnail, List<Variant> variants, List<String> images, Instant createdAt) {}
