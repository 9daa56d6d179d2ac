package io.nearcache.examples.boot;

/**
 * A product as the store API returns it, cached as JSON in the {@code product} cache: a smaller
 * cousin of the catalog example's product (one price, no variants or images).
 */
public record Product(long id, String handle, String title, String category, Price price) {}
