package io.nearcache.examples.catalog;

import java.util.List;
import java.util.Objects;

/**
 * One listing page as the caches hold it: the JSON body the endpoint answers with, and the ids of
 * the products the page shows. The ids are what mode {@code near} tags the page with, so that a
 * price change reaches exactly the pages showing the product; the body is what a hit writes, as
 * it is, without encoding anything.
 *
 * <p>The body is neither copied nor copyable from outside: callers must not change it.
 */
public record ListingBody(List<Long> productIds, byte[] body) {

  /**
   * Checks and keeps the parts.
   *
   * @throws NullPointerException if either part or an id is null
   */
  public ListingBody {
    productIds = List.copyOf(productIds);
    Objects.requireNonNull(body, "body");
  }

  /** The listing of {@code page}, whose JSON encoding is {@code body}. */
  public static ListingBody of(ProductPage page, byte[] body) {
    return new ListingBody(page.products().stream().map(Product::id).toList(), body);
  }
}
