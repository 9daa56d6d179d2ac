package io.nearcache.examples.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nearcache.CacheStats;
import io.nearcache.examples.catalog.CatalogServer.Mode;
import io.nearcache.testkit.RedisCluster;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The catalog service on the embedded database and a Redis of its own, in each cache mode: every
 * endpoint answers as the database says, bad input gets 400, and a price posted to one node is
 * served by a second node, which in mode {@code near} drops exactly the listings showing the
 * product.
 */
@ExtendWith(RedisServerExtension.class)
class CatalogServiceTest {
  private static final int PRODUCTS = 400;
  private static Database db;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final List<CatalogServer> nodes = new ArrayList<>();

  @BeforeAll
  static void openDatabase() {
    db = Database.open(null, 8);
    System.out.println("catalog test: embedded H2 database (PostgreSQL mode)");
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  @BeforeEach
  void seed() throws SQLException {
    Seeder.seed(db.dataSource(), PRODUCTS);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void everyEndpointAnswersAsTheDatabaseSays(Mode mode, RedisServer redis) throws Exception {
    CatalogServer node = start(mode, redis, "a");

    JsonNode page = getOk(node, "/store/products");
    assertThat(page.get("count").asLong()).isEqualTo(count("SELECT COUNT(*) FROM product"
        + " WHERE status = 'published'"));
    assertThat(page.get("products")).hasSize(ListingQuery.DEFAULT_LIMIT);
    List<Instant> created = new ArrayList<>();
    page.get("products").forEach(p -> created.add(Instant.parse(p.get("createdAt").asText())));
    assertThat(created).as("newest first").isSortedAccordingTo((x, y) -> y.compareTo(x));

    JsonNode shoes = getOk(node, "/store/products?category=shoes&limit=5&offset=5");
    assertThat(shoes.get("count").asLong()).isEqualTo(count("SELECT COUNT(*) FROM product p JOIN"
        + " category c ON c.id = p.category_id WHERE c.handle = 'shoes' AND status = 'published'"));
    assertThat(shoes.get("products")).hasSize(5)
        .allSatisfy(p -> assertThat(p.get("category").asText()).isEqualTo("Shoes"));
    assertThat(shoes.get("offset").asInt()).isEqualTo(5);

    JsonNode wool = getOk(node, "/store/products?q=WOOL&limit=100");
    assertThat(wool.get("count").asLong()).isPositive().isEqualTo(count("SELECT COUNT(*) FROM"
        + " product WHERE LOWER(title) LIKE '%wool%' AND status = 'published'"));
    assertThat(wool.get("products"))
        .allSatisfy(p -> assertThat(p.get("title").asText()).containsIgnoringCase("wool"));

    long id = wool.get("products").get(0).get("id").asLong();
    JsonNode product = getOk(node, "/store/products/" + id).get("product");
    assertThat(product.get("id").asLong()).isEqualTo(id);
    assertThat(product.get("variants")).hasSize(3)
        .allSatisfy(v -> assertThat(v.get("prices")).hasSize(2));
    assertThat(product.get("images")).hasSize(3);
    assertThat(get(node, "/store/products/999999").statusCode()).isEqualTo(404);

    assertThat(getOk(node, "/store/categories").get("product_categories")).hasSize(20);

    assertThat(get(node, "/store/products?limit=0").statusCode()).isEqualTo(400);
    assertThat(get(node, "/store/products?limit=ten").body()).contains("limit is not a whole");
    assertThat(post(node, "/admin/products/" + id + "/price", "{\"amount\": -1}").statusCode())
        .isEqualTo(400);
    assertThat(post(node, "/admin/products/999999/price", "{\"amount\": 1}").statusCode())
        .isEqualTo(404);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aPricePostedToOneNodeIsServedByTheOther(Mode mode, RedisServer redis) throws Exception {
    CatalogServer a = start(mode, redis, "a");
    CatalogServer b = start(mode, redis, "b");
    JsonNode first = getOk(b, "/store/products").get("products").get(0);
    long id = first.get("id").asLong();
    long old = usdPrice(first);
    assertThat(usdPrice(getOk(b, "/store/products/" + id).get("product"))).isEqualTo(old);
    long updated = old + 1_234;

    HttpResponse<String> posted =
        post(a, "/admin/products/" + id + "/price", "{\"amount\": " + updated + "}");
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(Long.parseLong(posted.headers().firstValue(CatalogServer.SERVED_AT).orElseThrow()))
        .as("when the update was done, in epoch microseconds")
        .isBetween(Instant.now().minusSeconds(60).toEpochMilli() * 1_000,
            Instant.now().toEpochMilli() * 1_000 + 1_000);

    assertThat(count("SELECT MIN(pr.amount) FROM price pr JOIN variant v ON v.id = pr.variant_id"
        + " WHERE v.product_id = " + id + " AND pr.currency = 'usd'")).isEqualTo(updated);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(usdPrice(getOk(b, "/store/products/" + id).get("product"))).isEqualTo(updated);
      assertThat(usdPrice(getOk(b, "/store/products").get("products").get(0)))
          .isEqualTo(updated);
    });
    assertThat(usdPrice(getOk(a, "/store/products/" + id).get("product"))).isEqualTo(updated);
    assertThat(usdPrice(getOk(a, "/store/products").get("products").get(0))).isEqualTo(updated);
  }

  /**
   * Node B holds four listings in L1, two showing a product and two not; its price is posted to
   * node A. In {@code near}, B reloads the two showing it (they serve the new price) and answers
   * the other two from L1; in {@code near-all}, B drops all four.
   */
  @ParameterizedTest
  @EnumSource(value = Mode.class, names = {"NEAR", "NEAR_ALL"})
  void aPriceChangeDropsTheListingsShowingTheProduct(Mode mode, RedisServer redis)
      throws Exception {
    CatalogServer a = start(mode, redis, "a");
    CatalogServer b = start(mode, redis, "b");
    JsonNode newest = getOk(b, "/store/products").get("products").get(0);
    long id = newest.get("id").asLong();
    String category = newest.get("category").asText().toLowerCase(Locale.ROOT);
    // The newest product heads its category's first page too, and is neither on the second page
    // nor in another category.
    String other = category.equals("shirts") ? "hats" : "shirts";
    List<String> showing = List.of("/store/products", "/store/products?category=" + category);
    List<String> notShowing = List.of("/store/products?offset=20",
        "/store/products?category=" + other);
    Map<String, String> before = new HashMap<>();
    for (String path : notShowing) {
      before.put(path, get(b, path).body());
      assertThat(ids(json.readTree(before.get(path)))).as(path).isNotEmpty().doesNotContain(id);
    }
    for (String path : showing) {
      assertThat(ids(getOk(b, path))).as(path).contains(id);
    }
    CacheStats cached = listingStats(b);
    for (String path : concat(showing, notShowing)) {
      get(b, path);
    }
    assertThat(listingStats(b).minus(cached).l1Hits()).as("all four in B's L1").isEqualTo(4);

    long updated = usdPrice(newest) + 1_234;
    assertThat(post(a, "/admin/products/" + id + "/price", "{\"amount\": " + updated + "}")
        .statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      for (String path : showing) {
        assertThat(usdPrice(getOk(b, path).get("products").get(0))).as(path).isEqualTo(updated);
      }
    });

    CacheStats beforeRest = listingStats(b);
    for (String path : notShowing) {
      assertThat(get(b, path).body()).as(path).isEqualTo(before.get(path));
    }
    CacheStats rest = listingStats(b).minus(beforeRest);
    if (mode == Mode.NEAR) {
      assertThat(rest.l1Hits()).as("kept in B's L1").isEqualTo(2);
      assertThat(rest.loadSuccesses()).isZero();
    } else {
      assertThat(rest.l1Misses()).as("dropped from B's L1").isEqualTo(2);
      assertThat(rest.loadSuccesses()).as("and from Redis").isEqualTo(2);
    }
  }

  /** The near mode on a Redis Cluster: the same endpoints, and a price change across nodes. */
  @Test
  void onAClusterAPricePostedToOneNodeIsServedByTheOther() throws Exception {
    try (RedisCluster cluster = RedisCluster.start()) {
      String address = "redis-cluster://" + cluster.seeds().iterator().next();
      CatalogServer a = start(Mode.NEAR, address, "a");
      CatalogServer b = start(Mode.NEAR, address, "b");
      JsonNode first = getOk(b, "/store/products").get("products").get(0);
      long id = first.get("id").asLong();
      long updated = usdPrice(first) + 1_234;
      assertThat(post(a, "/admin/products/" + id + "/price", "{\"amount\": " + updated + "}")
          .statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(usdPrice(getOk(b, "/store/products/" + id).get("product"))).isEqualTo(updated);
        assertThat(usdPrice(getOk(b, "/store/products").get("products").get(0)))
            .isEqualTo(updated);
      });
      assertThat(getOk(a, "/store/categories").get("product_categories")).hasSize(20);
      stopNodes();
    }
  }

  @org.junit.jupiter.api.AfterEach
  void stopNodes() {
    nodes.forEach(CatalogServer::close);
    nodes.clear();
  }

  private CatalogServer start(Mode mode, RedisServer redis, String name) throws IOException {
    return start(mode, redis.uri(), name);
  }

  private CatalogServer start(Mode mode, String redisAddress, String name) throws IOException {
    CatalogServer node = CatalogServer.start(mode, 0, new CatalogStore(db.dataSource()),
        redisAddress, name, 4);
    nodes.add(node);
    return node;
  }

  private static CacheStats listingStats(CatalogServer node) {
    return node.listingStats().orElseThrow();
  }

  private static List<Long> ids(JsonNode listing) {
    List<Long> ids = new ArrayList<>();
    listing.get("products").forEach(p -> ids.add(p.get("id").asLong()));
    return ids;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> both = new ArrayList<>(first);
    both.addAll(second);
    return both;
  }

  /** The USD price every variant of {@code product} carries (the update sets them all). */
  private static long usdPrice(JsonNode product) {
    List<Long> usd = new ArrayList<>();
    product.get("variants").forEach(v -> v.get("prices").forEach(p -> {
      if (p.get("currency").asText().equals("usd")) {
        usd.add(p.get("amount").asLong());
      }
    }));
    assertThat(usd).hasSize(3).containsOnly(usd.get(0));
    return usd.get(0);
  }

  private JsonNode getOk(CatalogServer node, String path) throws Exception {
    HttpResponse<String> response = get(node, path);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  private HttpResponse<String> get(CatalogServer node, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(node, path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(CatalogServer node, String path, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(uri(node, path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(CatalogServer node, String path) {
    return URI.create("http://127.0.0.1:" + node.port() + path);
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
