package io.nearcache.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * The catalog as a Spring Boot web app: nearcache comes from the starter and {@code
 * application.properties} alone. Run several on one Redis and one database, change a price on
 * one, and every other serves the new price:
 *
 * <pre>
 * mvn -B -q -pl spring-boot-example -am compile \
 *     org.springframework.boot:spring-boot-maven-plugin:run \
 *     -Dspring-boot.run.arguments="--nearcache.redis-uri=redis://127.0.0.1:6379 --server.port=8081"
 * </pre>
 */
@SpringBootApplication
@EnableCaching
public class CatalogApplication {
  /**
   * Starts the app; arguments are Spring Boot's ({@code --nearcache.redis-uri=...}, {@code
   * --server.port=...}).
   *
   * @param args command-line properties
   */
  public static void main(String[] args) {
    SpringApplication.run(CatalogApplication.class, args);
  }
}
