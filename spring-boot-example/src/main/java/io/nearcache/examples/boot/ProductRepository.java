package io.nearcache.examples.boot;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Repository;

/**
 * The products, in an H2 database that every instance of the app shares ({@code
 * catalog.database-url}; by default a file with H2's automatic server mode, so that several
 * processes on one machine open it). Seeds {@value #SEEDED} products when the table is new.
 * Plain JDBC: the example is about the cache, not the data access.
 */
@Repository
public class ProductRepository {
  static final int SEEDED = 20;
  private static final Logger log = LoggerFactory.getLogger(ProductRepository.class);
  private static final String[] CATEGORIES = {"shirts", "shoes", "hats", "bags"};

  private final JdbcDataSource db = new JdbcDataSource();
  private final AtomicLong reads = new AtomicLong();

  /**
   * Opens the database and creates and seeds the table if it does not exist.
   *
   * @param url the JDBC URL of the shared database
   * @throws IllegalStateException if the database cannot be opened or set up
   */
  public ProductRepository(@Value("${catalog.database-url}") String url) {
    db.setURL(url);
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS product (id BIGINT PRIMARY KEY,"
          + " handle VARCHAR(100), title VARCHAR(200), category VARCHAR(50),"
          + " currency VARCHAR(3), amount BIGINT)");
      // MERGE ... KEY would reset prices another instance changed; insert only what is absent.
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO product SELECT ?, ?, ?, ?,"
          + " 'usd', ? WHERE NOT EXISTS (SELECT 1 FROM product WHERE id = ?)")) {
        for (long id = 1; id <= SEEDED; id++) {
          insert.setLong(1, id);
          insert.setString(2, "product-" + id);
          insert.setString(3, "Product " + id);
          insert.setString(4, CATEGORIES[(int) (id % CATEGORIES.length)]);
          insert.setLong(5, 1000 + 100 * id);
          insert.setLong(6, id);
          insert.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot set up the catalog database at " + url, e);
    }
    log.info("catalog database {} ready", url);
  }

  /**
   * Reads one product.
   *
   * @param id the product's id
   * @return the product, or empty if there is none of that id
   * @throws IllegalStateException if the database fails
   */
  public Optional<Product> find(long id) {
    reads.incrementAndGet();
    try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(
        "SELECT handle, title, category, currency, amount FROM product WHERE id = ?")) {
      q.setLong(1, id);
      try (ResultSet r = q.executeQuery()) {
        return r.next() ? Optional.of(new Product(id, r.getString(1), r.getString(2),
            r.getString(3), new Price(r.getString(4), r.getLong(5)))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read product " + id, e);
    }
  }

  /**
   * Sets a product's USD price.
   *
   * @param id the product's id
   * @param amount the price in cents
   * @return whether the product exists (and so was changed)
   * @throws IllegalStateException if the database fails
   */
  public boolean setPrice(long id, long amount) {
    try (Connection c = db.getConnection(); PreparedStatement u = c.prepareStatement(
        "UPDATE product SET amount = ? WHERE id = ?")) {
      u.setLong(1, amount);
      u.setLong(2, id);
      return u.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot set the price of product " + id, e);
    }
  }

  /**
   * How many reads went to the database, to show what the cache saved.
   *
   * @return the reads since start
   */
  public long reads() {
    return reads.get();
  }
}
