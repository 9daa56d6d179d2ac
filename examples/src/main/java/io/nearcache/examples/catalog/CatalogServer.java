package io.nearcache.examples.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nearcache.CacheStats;
import io.nearcache.examples.catalog.NearCatalogCache.ListingInvalidation;
import io.nearcache.serializers.JacksonJsonSerializer;
import io.nearcache.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog service: the JDK's HTTP server on a fixed pool of worker threads, serving
 *
 * <ul>
 *   <li>{@code GET /store/products?limit&offset&category&q}: a page and the listing's count;
 *   <li>{@code GET /store/products/{id}}: one product, or 404;
 *   <li>{@code GET /store/categories}: every category;
 *   <li>{@code POST /admin/products/{id}/price} with {@code {"amount": 1999}}: sets the product's
 *       USD price in the database, then invalidates the product and the listings that show it
 *       (every listing, but in mode {@code near}).
 * </ul>
 *
 * <p>Bad parameters get 400 with the reason, a database failure 500 (logged). Every answer carries
 * {@value #SERVED_AT}: the wall-clock time, in microseconds since the epoch, at which the node read
 * what it answers (for a price update, at which the database held the new price and the caches
 * were told), so that a checker on the same machine can tell when a node first served a change.
 */
public final class CatalogServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CatalogServer.class);
  private static final Pattern PRODUCT = Pattern.compile("/store/products/(\\d{1,18})");
  private static final Pattern PRICE = Pattern.compile("/admin/products/(\\d{1,18})/price");
  /** The response header holding when the answer was read, in microseconds since the epoch. */
  public static final String SERVED_AT = "X-Served-At";

  /**
   * How reads are cached: the modes of the benchmark. The nodes sharing one Redis must all run the
   * same mode: each mode's invalidations reach only its own kind of entries.
   */
  public enum Mode {
    /** Every read from the database. */
    NONE,
    /** The seed's Redis cache-aside with an in-process lock, no local tier. */
    REDIS,
    /**
     * nearcache: L1 in this JVM, L2 in Redis, invalidation by pub/sub; a price change drops the
     * product and exactly the listings showing it (listings are tagged with their products).
     */
    NEAR,
    /** As {@link #NEAR}, but a price change drops every listing: the mode before tags. */
    NEAR_ALL;

    /** The mode named {@code name} ({@code near-all}, say), ignoring case. */
    public static Mode of(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** The mode's name as {@link #of} takes it and the benchmark reports it: {@code near-all}. */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final HttpServer http;
  private final ExecutorService workers;
  private final CatalogStore store;
  private final CatalogCache cache;
  private final ObjectMapper json = JacksonJsonSerializer.defaultMapper();

  private CatalogServer(HttpServer http, ExecutorService workers, CatalogStore store,
      CatalogCache cache) {
    this.http = http;
    this.workers = workers;
    this.store = store;
    this.cache = cache;
  }

  /**
   * Starts a node on {@code port} (0 for any free one) of 127.0.0.1.
   *
   * @param redisUri Redis for every mode but {@code none}, as {@link RedisAddress} reads it (the
   *     near modes also take a Cluster or Sentinel address); unused by {@code none}
   * @param instanceId this node's name, for nearcache's logs
   * @param threads the worker threads answering requests
   * @throws IOException if the port cannot be bound
   */
  public static CatalogServer start(Mode mode, int port, CatalogStore store, String redisUri,
      String instanceId, int threads) throws IOException {
    CacheSettings settings = CacheSettings.load();
    CatalogCache cache = switch (mode) {
      case NONE -> new NoCache();
      case REDIS -> new RedisCache(redisUri, "catalog", settings);
      case NEAR -> new NearCatalogCache(redisUri, "catalog", instanceId, settings,
          ListingInvalidation.BY_PRODUCT);
      case NEAR_ALL -> new NearCatalogCache(redisUri, "catalog", instanceId, settings,
          ListingInvalidation.ALL);
    };
    AtomicInteger n = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(threads, task -> {
      Thread t = new Thread(task, "catalog-" + instanceId + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    HttpServer http = listen(port);
    CatalogServer server = new CatalogServer(http, workers, store, cache);
    http.createContext("/", server::handle);
    http.setExecutor(workers);
    http.start();
    log.info("catalog node {} serving on port {} in mode {}", instanceId, server.port(), mode);
    return server;
  }

  /**
   * An HTTP server bound to {@code port} (0 for any free one) of 127.0.0.1, set up for many
   * keep-alive clients as every node is, not yet started.
   *
   * @throws IOException if the port cannot be bound
   */
  public static HttpServer listen(int port) throws IOException {
    // Both read once, when the first server starts. The JDK's server closes keep-alive connections
    // beyond 200 idle ones, and 500 clients then reconnect over and over: keep them all open. It
    // also leaves Nagle's algorithm on, so the body, written after the headers, waits for the
    // client's delayed ACK: 40 ms added to every answer. Servers meant for load turn it off.
    System.getProperties().putIfAbsent("sun.net.httpserver.maxIdleConnections", "10000");
    System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    return HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1_024);
  }

  /**
   * Runs one node until the JVM stops: {@code CatalogServer <none|redis|near|near-all> <port>
   * <redis address | -> [jdbc url] [products to seed]}, the address as {@link RedisAddress} reads
   * it. With {@code -} for Redis, a redis-server of its own is started on a free port; without a
   * JDBC URL, the embedded H2 is used; with a product count, the database is seeded (dropping what
   * was there) before the node starts.
   */
  public static void main(String[] args) throws Exception {
    Mode mode = Mode.of(args[0]);
    int port = Integer.parseInt(args[1]);
    RedisServer ownRedis = args[2].equals("-") ? RedisServer.start() : null;
    String redisUri = ownRedis != null ? ownRedis.uri() : args[2];
    Database db = Database.open(args.length > 3 ? args[3] : null, 16);
    if (args.length > 4) {
      Seeder.seed(db.dataSource(), Integer.parseInt(args[4]));
    }
    CatalogServer node = start(mode, port, new CatalogStore(db.dataSource()), redisUri,
        "node-" + port, 64);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      db.close();
      if (ownRedis != null) {
        ownRedis.close();
      }
    }));
    Thread.currentThread().join();
  }

  /** The port this node listens on. */
  public int port() {
    return http.getAddress().getPort();
  }

  /**
   * This node's counters of its listing cache since it started, for the benchmark and the tests:
   * take two snapshots and {@link CacheStats#minus} them for an interval. Empty in the modes
   * without a local tier ({@code none}, {@code redis}).
   */
  public Optional<CacheStats> listingStats() {
    return cache.listingStats();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      route(exchange);
    } catch (IllegalArgumentException e) {
      respond(exchange, 400, Map.of("message", String.valueOf(e.getMessage())));
    } catch (RuntimeException e) {
      log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      respond(exchange, 500, Map.of("message", "internal error"));
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    Matcher product = PRODUCT.matcher(path);
    Matcher price = PRICE.matcher(path);
    servedNow(exchange);
    if (method.equals("GET") && path.equals("/store/products")) {
      ListingQuery query = listingQuery(parameters(exchange.getRequestURI().getRawQuery()));
      respond(exchange, 200, cache.listing(query, () -> {
        ProductPage page = store.listAndCount(query);
        return ListingBody.of(page, encode(page));
      }));
    } else if (method.equals("GET") && product.matches()) {
      byte[] found = cache.product(Long.parseLong(product.group(1)), id -> {
        Product p = store.product(id);
        return p == null ? null : encode(Map.of("product", p));
      });
      if (found == null) {
        respond(exchange, 404, Map.of("message", "no such product"));
      } else {
        respond(exchange, 200, found);
      }
    } else if (method.equals("GET") && path.equals("/store/categories")) {
      respond(exchange, 200,
          cache.categories(() -> encode(Map.of("product_categories", store.categories()))));
    } else if (method.equals("POST") && price.matches()) {
      long id = Long.parseLong(price.group(1));
      long amount = amount(exchange.getRequestBody());
      if (store.updatePrice(id, amount)) {
        cache.productChanged(id);
        servedNow(exchange);
        respond(exchange, 200, Map.of("id", id, "amount", amount));
      } else {
        respond(exchange, 404, Map.of("message", "no such product"));
      }
    } else {
      respond(exchange, 404, Map.of("message", "no route for " + method + " " + path));
    }
  }

  private static void servedNow(HttpExchange exchange) {
    Instant now = Instant.now();
    exchange.getResponseHeaders().set(SERVED_AT,
        Long.toString(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000));
  }

  private static ListingQuery listingQuery(Map<String, String> p) {
    return new ListingQuery(intParameter(p, "limit", ListingQuery.DEFAULT_LIMIT),
        intParameter(p, "offset", 0), p.get("category"), p.get("q"));
  }

  private static int intParameter(Map<String, String> p, String name, int absent) {
    String value = p.get(name);
    if (value == null) {
      return absent;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a whole number: " + value);
    }
  }

  private static Map<String, String> parameters(String rawQuery) {
    Map<String, String> p = new HashMap<>();
    if (rawQuery == null) {
      return p;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      p.put(URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return p;
  }

  private long amount(InputStream body) throws IOException {
    JsonNode amount = json.readTree(body).get("amount");
    if (amount == null || !amount.canConvertToLong() || amount.asLong() < 0) {
      throw new IllegalArgumentException("body must be {\"amount\": <minor units, >= 0>}");
    }
    return amount.asLong();
  }

  private byte[] encode(Object body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + body.getClass().getName(), e);
    }
  }

  private void respond(HttpExchange exchange, int status, Object body) throws IOException {
    respond(exchange, status, encode(body));
  }

  private static void respond(HttpExchange exchange, int status, byte[] bytes) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops accepting requests, waits up to a second for those in flight, closes the cache. */
  @Override
  public void close() {
    http.stop(1);
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    cache.close();
  }
}
