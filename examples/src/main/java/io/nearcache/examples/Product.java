package io.nearcache.examples;

import java.math.BigDecimal;
import java.util.List;

/** A catalog product, as a storefront's product page shows it. */
public record Product(String id, String title, BigDecimal price, String currency,
    List<String> tags) {

  /** The same product at another price. */
  public Product withPrice(BigDecimal newPrice) {
    return new Product(id, title, newPrice, currency, tags);
  }
}
