package io.nearcache.examples.catalog;

/** A product category. */
public record Category(long id, String handle, String name) {}
