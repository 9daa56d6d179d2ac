package io.nearcache.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the app on random ports, one Redis and one database: both serve a product, a
 * price change on one reaches the other, and the reads the cache answered never reached the
 * database.
 */
class CatalogApplicationTest {
  private static final Logger log = LoggerFactory.getLogger(CatalogApplicationTest.class);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  private static ConfigurableApplicationContext instance(String name, String database) {
    return SpringApplication.run(CatalogApplication.class, "--server.port=0",
        "--nearcache.redis-uri=" + redis.uri(), "--nearcache.instance-id=" + name,
        "--catalog.database-url=" + database, "--spring.main.banner-mode=off");
  }

  private static String base(ConfigurableApplicationContext app) {
    return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String json)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPriceChangedOnOneInstanceIsServedByTheOther() throws Exception {
    // One in-memory database for both instances of this JVM, as a shared database would be.
    String database = "jdbc:h2:mem:catalog-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    try (ConfigurableApplicationContext a = instance("a", database);
        ConfigurableApplicationContext b = instance("b", database)) {
      String urlA = base(a) + "/store/products/3";
      String urlB = base(b) + "/store/products/3";

      HttpResponse<String> first = get(urlA);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.body()).contains("\"id\":3", "\"amount\":1300");
      assertThat(get(urlB).body()).isEqualTo(first.body());
      assertThat(get(urlB).body()).isEqualTo(first.body());
      ProductRepository repoA = a.getBean(ProductRepository.class);
      ProductRepository repoB = b.getBean(ProductRepository.class);
      assertThat(repoA.reads() + repoB.reads()).as("a loaded it; b read it from Redis, then L1")
          .isEqualTo(1);

      assertThat(post(base(a) + "/admin/products/3/price", "{\"amount\": 1999}").statusCode())
          .isEqualTo(204);
      long changed = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
          .until(() -> get(urlB).body().contains("\"amount\":1999"));
      log.info("b served the new price {} ms after a's answer",
          (System.nanoTime() - changed) / 1_000_000);
      assertThat(get(urlA).body()).contains("\"amount\":1999");

      assertThat(get(base(b) + "/store/products/999").statusCode()).isEqualTo(404);
      assertThat(post(base(b) + "/admin/products/999/price", "{\"amount\": 1}").statusCode())
          .isEqualTo(404);
    }
  }
}
