package io.nearcache.spring;

/** A cached value, as a catalog would hold one. */
public record Product(long id, String name, int priceCents) {

  static Product of(long id) {
    return new Product(id, "product " + id, (int) (100 + id));
  }
}
