package io.nearcache.spring.boot;

/** A cached value, as a catalog holds one; stored as JSON ({@code value-type}). */
public record Product(long id, String name, int priceCents) {
  static Product of(long id) {
    return new Product(id, "product " + id, (int) (100 + id));
  }
}
