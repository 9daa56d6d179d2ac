package io.nearcache.examples.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalog's schema (categories, products, variants, prices, images, with the indexes
 * a shop puts on them) and fills it with generated, deterministic data: a given size always gives
 * the same catalog.
 */
public final class Seeder {
  private static final Logger log = LoggerFactory.getLogger(Seeder.class);
  private static final List<String> CATEGORIES = List.of("shirts", "trousers", "shoes", "jackets",
      "hats", "bags", "socks", "scarves", "gloves", "belts", "dresses", "skirts", "sweaters",
      "shorts", "swimwear", "watches", "sunglasses", "wallets", "jewellery", "umbrellas");
  private static final String[] ADJECTIVES = {"Classic", "Organic", "Vintage", "Slim", "Relaxed",
      "Waterproof", "Lightweight", "Heavyweight", "Recycled", "Essential", "Premium", "Everyday"};
  private static final String[] MATERIALS = {"Cotton", "Linen", "Wool", "Leather", "Denim",
      "Canvas", "Cashmere", "Silk", "Suede", "Merino", "Hemp", "Corduroy"};
  private static final String[] COLOURS = {"Black", "White", "Navy", "Olive", "Sand", "Rust",
      "Grey", "Forest", "Burgundy", "Ochre"};
  private static final String[] SIZES = {"S", "M", "L"};
  private static final String SCHEMA = """
      DROP TABLE IF EXISTS image, price, variant, product, category CASCADE;
      CREATE TABLE category (
        id BIGINT PRIMARY KEY,
        handle VARCHAR(64) NOT NULL UNIQUE,
        name VARCHAR(100) NOT NULL);
      CREATE TABLE product (
        id BIGINT PRIMARY KEY,
        handle VARCHAR(120) NOT NULL UNIQUE,
        title VARCHAR(200) NOT NULL,
        description VARCHAR(2000) NOT NULL,
        category_id BIGINT NOT NULL REFERENCES category (id),
        thumbnail VARCHAR(200) NOT NULL,
        status VARCHAR(16) NOT NULL,
        created_at TIMESTAMP NOT NULL);
      CREATE INDEX product_listing ON product (status, created_at DESC, id DESC);
      CREATE INDEX product_category_listing ON product (category_id, status, created_at DESC);
      CREATE TABLE variant (
        id BIGINT PRIMARY KEY,
        product_id BIGINT NOT NULL REFERENCES product (id),
        sku VARCHAR(64) NOT NULL UNIQUE,
        title VARCHAR(100) NOT NULL,
        inventory INT NOT NULL);
      CREATE INDEX variant_product ON variant (product_id);
      CREATE TABLE price (
        id BIGINT PRIMARY KEY,
        variant_id BIGINT NOT NULL REFERENCES variant (id),
        currency CHAR(3) NOT NULL,
        amount BIGINT NOT NULL);
      CREATE INDEX price_variant ON price (variant_id);
      CREATE TABLE image (
        id BIGINT PRIMARY KEY,
        product_id BIGINT NOT NULL REFERENCES product (id),
        url VARCHAR(200) NOT NULL,
        rank INT NOT NULL);
      CREATE INDEX image_product ON image (product_id, rank);
      """;

  private Seeder() {}

  /**
   * Drops and recreates the schema and inserts {@code products} products (95% published) in 20
   * categories, each with three variants priced in USD and EUR and three images.
   *
   * @throws SQLException if the database refuses the schema or the data
   */
  public static void seed(DataSource db, int products) throws SQLException {
    long start = System.nanoTime();
    Random random = new Random(42);
    Instant now = Instant.parse("2026-11-01T00:00:00Z");
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String ddl : SCHEMA.split(";")) {
          if (!ddl.isBlank()) {
            s.execute(ddl);
          }
        }
      }
      try (PreparedStatement category = c.prepareStatement(
          "INSERT INTO category (id, handle, name) VALUES (?, ?, ?)")) {
        for (int i = 0; i < CATEGORIES.size(); i++) {
          String handle = CATEGORIES.get(i);
          category.setLong(1, i + 1);
          category.setString(2, handle);
          category.setString(3, capitalized(handle));
          category.addBatch();
        }
        category.executeBatch();
      }
      try (PreparedStatement product = c.prepareStatement("INSERT INTO product (id, handle, title,"
              + " description, category_id, thumbnail, status, created_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
          PreparedStatement variant = c.prepareStatement(
              "INSERT INTO variant (id, product_id, sku, title, inventory) VALUES (?, ?, ?, ?, ?)");
          PreparedStatement price = c.prepareStatement(
              "INSERT INTO price (id, variant_id, currency, amount) VALUES (?, ?, ?, ?)");
          PreparedStatement image = c.prepareStatement(
              "INSERT INTO image (id, product_id, url, rank) VALUES (?, ?, ?, ?)")) {
        long variantId = 0;
        long priceId = 0;
        long imageId = 0;
        for (long id = 1; id <= products; id++) {
          String category = CATEGORIES.get((int) (id % CATEGORIES.size()));
          String title = pick(random, ADJECTIVES) + " " + pick(random, MATERIALS) + " "
              + pick(random, COLOURS) + " " + capitalized(category) + " No. " + id;
          String lowerCase = title.toLowerCase(Locale.ROOT);
          String handle = lowerCase.replaceAll("[^a-z0-9]+", "-");
          product.setLong(1, id);
          product.setString(2, handle);
          product.setString(3, title);
          product.setString(4, "The " + lowerCase
              + ", made to last and easy to care for. Machine washable at 30 degrees; fits true"
              + " to size.");
          product.setLong(5, id % CATEGORIES.size() + 1);
          product.setString(6, "https://cdn.example.com/p/" + handle + "/thumb.jpg");
          product.setString(7, random.nextInt(20) == 0 ? "draft" : "published");
          product.setTimestamp(8, Timestamp.from(
              now.minus(Duration.ofMinutes(random.nextInt(365 * 24 * 60)))));
          product.addBatch();
          long base = 1_000 + random.nextInt(20_000);
          for (String size : SIZES) {
            variantId++;
            variant.setLong(1, variantId);
            variant.setLong(2, id);
            variant.setString(3, "SKU-" + id + "-" + size);
            variant.setString(4, size);
            variant.setInt(5, random.nextInt(200));
            variant.addBatch();
            price.setLong(1, ++priceId);
            price.setLong(2, variantId);
            price.setString(3, "usd");
            price.setLong(4, base);
            price.addBatch();
            price.setLong(1, ++priceId);
            price.setLong(2, variantId);
            price.setString(3, "eur");
            price.setLong(4, base * 92 / 100);
            price.addBatch();
          }
          for (int rank = 0; rank < 3; rank++) {
            image.setLong(1, ++imageId);
            image.setLong(2, id);
            image.setString(3, "https://cdn.example.com/p/" + handle + "/" + rank + ".jpg");
            image.setInt(4, rank);
            image.addBatch();
          }
          if (id % 1_000 == 0 || id == products) {
            product.executeBatch(); // parents before children
            variant.executeBatch();
            price.executeBatch();
            image.executeBatch();
          }
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE"); // PostgreSQL and H2 both take it: fresh statistics for the planner
      }
      c.commit();
    }
    log.info("seeded {} products in {} ms", products, (System.nanoTime() - start) / 1_000_000);
  }

  private static String pick(Random random, String[] words) {
    return words[random.nextInt(words.length)];
  }

  private static String capitalized(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }
}
