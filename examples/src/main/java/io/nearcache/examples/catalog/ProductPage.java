package io.nearcache.examples.catalog;

import java.util.List;

/** One page of a listing and the number of products the whole listing holds. */
public record ProductPage(List<Product> products, long count, int offset, int limit) {}
