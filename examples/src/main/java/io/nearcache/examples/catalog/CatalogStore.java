package io.nearcache.examples.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The catalog's queries, the source of truth every cache mode reads through. A listing is what
 * Medusa's {@code listAndCount} does: the page's ids, the count of the whole listing, then the
 * page's products with their category, variants, prices and images, one query per relation.
 *
 * <p>Failures surface as {@link CatalogException} (unchecked, so that loaders can throw them).
 * {@link #statements()} counts the statements sent to the database, for the benchmark's load
 * figures.
 */
public final class CatalogStore {
  private static final String PRODUCT_COLUMNS = "SELECT p.id, p.handle, p.title, p.description,"
      + " c.name, p.thumbnail, p.created_at FROM product p JOIN category c ON c.id = p.category_id";

  private final DataSource db;
  private final AtomicLong statements = new AtomicLong();

  /** A store reading and writing {@code db}, which {@link Seeder} has filled. */
  public CatalogStore(DataSource db) {
    this.db = db;
  }

  /** One page of published products, newest first, and how many the listing holds. */
  public ProductPage listAndCount(ListingQuery query) {
    StringBuilder where = new StringBuilder(" WHERE p.status = 'published'");
    List<Object> args = new ArrayList<>();
    if (query.category() != null) {
      where.append(" AND p.category_id = (SELECT id FROM category WHERE handle = ?)");
      args.add(query.category());
    }
    if (query.q() != null) {
      where.append(" AND LOWER(p.title) LIKE ?");
      args.add("%" + query.q() + "%");
    }
    try (Connection c = db.getConnection()) {
      List<Object> pageArgs = new ArrayList<>(args);
      pageArgs.add(query.limit());
      pageArgs.add(query.offset());
      List<Long> ids = new ArrayList<>();
      try (PreparedStatement s = prepare(c, "SELECT p.id FROM product p" + where
          + " ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?", pageArgs);
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
      long count;
      try (PreparedStatement s = prepare(c, "SELECT COUNT(*) FROM product p" + where, args);
          ResultSet rs = s.executeQuery()) {
        rs.next();
        count = rs.getLong(1);
      }
      return new ProductPage(load(c, ids), count, query.offset(), query.limit());
    } catch (SQLException e) {
      throw new CatalogException("listing " + query + " failed", e);
    }
  }

  /** The product {@code id} if it exists and is published, else {@code null}. */
  public Product product(long id) {
    try (Connection c = db.getConnection()) {
      List<Product> found = load(c, List.of(id));
      return found.isEmpty() ? null : found.get(0);
    } catch (SQLException e) {
      throw new CatalogException("product " + id + " failed", e);
    }
  }

  /** Every category, by name. */
  public List<Category> categories() {
    try (Connection c = db.getConnection();
        PreparedStatement s = prepare(c, "SELECT id, handle, name FROM category ORDER BY name",
            List.of());
        ResultSet rs = s.executeQuery()) {
      List<Category> all = new ArrayList<>();
      while (rs.next()) {
        all.add(new Category(rs.getLong(1), rs.getString(2), rs.getString(3)));
      }
      return all;
    } catch (SQLException e) {
      throw new CatalogException("categories failed", e);
    }
  }

  /**
   * Sets the USD price of every variant of product {@code id} to {@code amount}, in one
   * transaction.
   *
   * @return whether the product exists
   */
  public boolean updatePrice(long id, long amount) {
    try (Connection c = db.getConnection();
        PreparedStatement s = prepare(c, "UPDATE price SET amount = ? WHERE currency = 'usd'"
            + " AND variant_id IN (SELECT id FROM variant WHERE product_id = ?)",
            List.of(amount, id))) {
      return s.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new CatalogException("price update of product " + id + " failed", e);
    }
  }

  /**
   * How many statements this store has sent to the database since it was made: reads and writes,
   * each counted once. A listing load is six (or two for an empty page), a product four.
   */
  public long statements() {
    return statements.get();
  }

  /** The published products of {@code ids}, in that order, with their relations. */
  private List<Product> load(Connection c, List<Long> ids) throws SQLException {
    if (ids.isEmpty()) {
      return List.of();
    }
    String in = " IN (" + String.join(",", Collections.nCopies(ids.size(), "?")) + ")";
    List<Object> args = new ArrayList<>(ids);
    Map<Long, List<Price>> prices = new LinkedHashMap<>();
    try (PreparedStatement s = prepare(c, "SELECT pr.variant_id, pr.currency, pr.amount FROM price"
        + " pr JOIN variant v ON v.id = pr.variant_id WHERE v.product_id" + in + " ORDER BY pr.id",
        args); ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        prices.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
            .add(new Price(rs.getString(2).trim(), rs.getLong(3)));
      }
    }
    Map<Long, List<Variant>> variants = new LinkedHashMap<>();
    try (PreparedStatement s = prepare(c, "SELECT id, product_id, sku, title, inventory"
        + " FROM variant WHERE product_id" + in + " ORDER BY id", args);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        long variant = rs.getLong(1);
        variants.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>()).add(new Variant(variant,
            rs.getString(3), rs.getString(4), rs.getInt(5),
            List.copyOf(prices.getOrDefault(variant, List.of()))));
      }
    }
    Map<Long, List<String>> images = new LinkedHashMap<>();
    try (PreparedStatement s = prepare(c, "SELECT product_id, url FROM image WHERE product_id" + in
        + " ORDER BY product_id, rank", args); ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        images.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    Map<Long, Product> products = new LinkedHashMap<>();
    try (PreparedStatement s = prepare(c, PRODUCT_COLUMNS + " WHERE p.status = 'published' AND p.id"
        + in, args); ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        long id = rs.getLong(1);
        products.put(id, new Product(id, rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6), List.copyOf(variants.getOrDefault(id, List.of())),
            List.copyOf(images.getOrDefault(id, List.of())), rs.getTimestamp(7).toInstant()));
      }
    }
    List<Product> ordered = new ArrayList<>(ids.size());
    for (Long id : ids) {
      Product p = products.get(id);
      if (p != null) {
        ordered.add(p);
      }
    }
    return ordered;
  }

  /**
   * Every statement of the store is prepared here and executed exactly once by its caller, so this
   * is where {@link #statements} counts them (a failed execution included: it reached the
   * database all the same).
   */
  private PreparedStatement prepare(Connection c, String sql, List<?> args) throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    statements.incrementAndGet();
    try {
      for (int i = 0; i < args.size(); i++) {
        s.setObject(i + 1, args.get(i));
      }
      return s;
    } catch (SQLException e) {
      s.close();
      throw e;
    }
  }
}
