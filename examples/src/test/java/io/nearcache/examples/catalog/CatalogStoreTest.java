package io.nearcache.examples.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store counts every statement it sends, as the benchmark's load figures assume. */
class CatalogStoreTest {
  private static Database db;

  @BeforeAll
  static void seed() throws SQLException {
    db = Database.open(null, 2);
    Seeder.seed(db.dataSource(), 100);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void everyStatementIsCountedOnce() {
    CatalogStore store = new CatalogStore(db.dataSource());
    assertThat(store.statements()).isZero();
    store.listAndCount(new ListingQuery(20, 0, null, null));
    assertThat(store.statements()).as("ids, count and four relations").isEqualTo(6);
    store.listAndCount(new ListingQuery(20, 0, null, "no such title"));
    assertThat(store.statements()).as("an empty page: ids and count").isEqualTo(8);
    store.product(1);
    assertThat(store.statements()).as("a product's four relations").isEqualTo(12);
    store.categories();
    assertThat(store.updatePrice(1, 1_999)).isTrue();
    assertThat(store.statements()).isEqualTo(14);
  }
}
