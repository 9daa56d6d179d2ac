package io.nearcache.examples.boot;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The catalog example's read and price endpoints:
 *
 * <ul>
 *   <li>{@code GET /store/products/{id}}: one product as JSON, or 404;
 *   <li>{@code POST /admin/products/{id}/price} with {@code {"amount": 1999}}: sets the USD price
 *       and evicts the product everywhere; 204, or 404 for a product that does not exist.
 * </ul>
 */
@RestController
public class CatalogController {
  private final CatalogService catalog;

  /**
   * Creates the controller.
   *
   * @param catalog the cached catalog
   */
  public CatalogController(CatalogService catalog) {
    this.catalog = catalog;
  }

  /**
   * Serves one product.
   *
   * @param id the product's id
   * @return 200 with the product, or 404
   */
  @GetMapping("/store/products/{id}")
  public ResponseEntity<Product> product(@PathVariable("id") long id) {
    Product product = catalog.product(id);
    return product == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(product);
  }

  /**
   * Changes one product's price.
   *
   * @param id the product's id
   * @param change the new price
   * @return 204, or 404 if there is no such product
   */
  @PostMapping("/admin/products/{id}/price")
  public ResponseEntity<Void> setPrice(@PathVariable("id") long id,
      @RequestBody PriceChange change) {
    return catalog.setPrice(id, change.amount()) ? ResponseEntity.noContent().build()
        : ResponseEntity.notFound().build();
  }
}
