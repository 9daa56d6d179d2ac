package io.nearcache.examples.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's connection pool: HikariCP over PostgreSQL when a JDBC URL is given, else over an
 * embedded H2 in PostgreSQL mode, kept in memory for the life of the JVM.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /** The embedded database every node in one JVM shares when no JDBC URL is given. */
  public static final String EMBEDDED_URL =
      "jdbc:h2:mem:catalog;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";

  private final HikariDataSource pool;
  private final boolean embedded;

  private Database(HikariDataSource pool, boolean embedded) {
    this.pool = pool;
    this.embedded = embedded;
  }

  /**
   * Opens a pool of {@code size} connections to {@code jdbcUrl}, or to the embedded database when
   * it is null or blank. PostgreSQL runs with trust authentication here, so the URL carries the
   * user ({@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}).
   */
  public static Database open(String jdbcUrl, int size) {
    boolean embedded = jdbcUrl == null || jdbcUrl.isBlank();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(embedded ? EMBEDDED_URL : jdbcUrl);
    config.setMaximumPoolSize(size);
    config.setPoolName(embedded ? "catalog-h2" : "catalog-pg");
    if (embedded) {
      log.info("no JDBC URL given: using the embedded H2 database (PostgreSQL mode)");
    }
    return new Database(new HikariDataSource(config), embedded);
  }

  /** The pooled data source. */
  public DataSource dataSource() {
    return pool;
  }

  /** Whether this is the embedded H2 rather than PostgreSQL. */
  public boolean embedded() {
    return embedded;
  }

  @Override
  public void close() {
    pool.close();
  }
}
