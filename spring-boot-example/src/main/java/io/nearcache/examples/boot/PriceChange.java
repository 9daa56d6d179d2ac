package io.nearcache.examples.boot;

/** The body of {@code POST /admin/products/{id}/price}: the new USD price in cents. */
public record PriceChange(long amount) {}
