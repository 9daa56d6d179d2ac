package io.nearcache.example.modular.catalog;

import java.util.Objects;

/**
 * A cached value that is an immutable class with no no-arg constructor: Kryo creates it without
 * running a constructor (through Objenesis), as Java serialization does, then sets its fields.
 */
public final class Stock {
  private final String sku;
  private final int units;

  /**
   * Creates a stock level.
   *
   * @param sku the product's stock-keeping unit
   * @param units the units in stock
   */
  public Stock(String sku, int units) {
    this.sku = Objects.requireNonNull(sku, "sku");
    this.units = units;
  }

  /**
   * Returns the stock-keeping unit.
   *
   * @return the sku
   */
  public String sku() {
    return sku;
  }

  /**
   * Returns the units in stock.
   *
   * @return the units
   */
  public int units() {
    return units;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Stock other && sku.equals(other.sku) && units == other.units;
  }

  @Override
  public int hashCode() {
    return Objects.hash(sku, units);
  }

  @Override
  public String toString() {
    return "Stock[sku=" + sku + ", units=" + units + "]";
  }
}
