package io.nearcache.example.modular.catalog;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A cached value: a record in a package that the module opens to Jackson and Kryo.
 *
 * @param id the product id
 * @param name the display name
 * @param price the price
 * @param tags the tags
 * @param updated when the product last changed
 */
public record Product(String id, String name, BigDecimal price, List<String> tags,
    Instant updated) {}
