package io.nearcache.examples.catalog;

import java.util.List;

/** A sellable variant of a product (a size, a colour), with its stock and prices. */
public record Variant(long id, String sku, String title, int inventory, List<Price> prices) {}
