package io.nearcache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.NearCacheClient;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/**
 * Spring's caching annotations over the manager, in two application contexts on one Redis, as two
 * app nodes: {@code sync = true} loads once across both, {@code CompletableFuture} and Reactor
 * {@code Mono} methods are cached, and an eviction on one node makes the other load again.
 */
@ExtendWith(RedisServerExtension.class)
class CacheableAnnotationTest {
  private static final int THREADS_PER_NODE = 10;

  /** What the annotated methods did, shared by both nodes' beans. */
  static final class Source {
    final AtomicInteger loads = new AtomicInteger();
    final CountDownLatch callersAtTheDoor = new CountDownLatch(2 * THREADS_PER_NODE);
    final List<String> asyncLoaderThreads = new ArrayList<>();
  }

  /** An annotated service, as an application writes one. */
  public static class Catalog {
    private final Source source;

    public Catalog(Source source) {
      this.source = source;
    }

    @Cacheable(cacheNames = "product", sync = true)
    public Product product(long id) throws InterruptedException {
      source.loads.incrementAndGet();
      // Holds the load until every caller of the stampede has reached the proxy.
      assertThat(source.callersAtTheDoor.await(10, TimeUnit.SECONDS)).isTrue();
      return Product.of(id);
    }

    @Cacheable(cacheNames = "async")
    public CompletableFuture<Product> productAsync(long id) {
      source.loads.incrementAndGet();
      return CompletableFuture.completedFuture(Product.of(id));
    }

    @Cacheable(cacheNames = "asyncSync", sync = true)
    public CompletableFuture<Product> productAsyncSync(long id) {
      source.loads.incrementAndGet();
      synchronized (source.asyncLoaderThreads) {
        source.asyncLoaderThreads.add(Thread.currentThread().getName());
      }
      return CompletableFuture.completedFuture(Product.of(id));
    }

    @Cacheable(cacheNames = "mono")
    public Mono<Product> productMono(long id) {
      source.loads.incrementAndGet();
      return Mono.just(Product.of(id));
    }

    @Cacheable(cacheNames = "monoSync", sync = true)
    public Mono<Product> productMonoSync(long id) {
      source.loads.incrementAndGet();
      return Mono.fromSupplier(() -> Product.of(id));
    }

    @Cacheable(cacheNames = "lookup")
    public Product lookup(String name) {
      source.loads.incrementAndGet();
      return name.isEmpty() ? null : new Product(1, name, 1);
    }

    @CacheEvict(cacheNames = "product")
    public void productChanged(long id) {}
  }

  @Configuration
  @EnableCaching
  static class AppConfig {
    @Bean
    NearCacheCacheManager cacheManager(NearCacheClient client) {
      return NearCacheCacheManager.builder(client)
          .defaultSpec(Nodes.LONG_LIVED)
          .defaultSerializer(SerializerKind.KRYO.create())
          .build();
    }

    @Bean
    Catalog catalog(Source source) {
      return new Catalog(source);
    }
  }

  @Test
  void syncTrueLoadsOnceAcrossTwoNodes(RedisServer redis) throws Exception {
    Source source = new Source();
    try (AnnotationConfigApplicationContext a = node(redis, source, 0);
        AnnotationConfigApplicationContext b = node(redis, source, 1)) {
      List<Catalog> catalogs = List.of(a.getBean(Catalog.class), b.getBean(Catalog.class));

      List<Product> results = Concurrently.run(2 * THREADS_PER_NODE, t -> () -> {
        source.callersAtTheDoor.countDown();
        return catalogs.get(t % 2).product(42);
      });

      assertThat(results).hasSize(2 * THREADS_PER_NODE).containsOnly(Product.of(42));
      assertThat(source.loads).hasValue(1);

      catalogs.get(0).productChanged(42);
      await().atMost(Duration.ofSeconds(5))
          .until(() -> catalogs.get(1).product(42).equals(Product.of(42))
              && source.loads.get() == 2);
      assertThat(catalogs.get(0).product(42)).isEqualTo(Product.of(42));
      assertThat(source.loads).as("the eviction made one node load again").hasValue(2);
    }
  }

  @Test
  void completableFutureMethodsAreCachedOnEveryNode(RedisServer redis) throws Exception {
    Source source = new Source();
    try (AnnotationConfigApplicationContext a = node(redis, source, 0);
        AnnotationConfigApplicationContext b = node(redis, source, 1)) {
      Catalog ca = a.getBean(Catalog.class);
      Catalog cb = b.getBean(Catalog.class);

      assertThat(ca.productAsync(7).get(10, TimeUnit.SECONDS)).isEqualTo(Product.of(7));
      await().atMost(Duration.ofSeconds(5)).until(() -> a.getBean(NearCacheCacheManager.class)
          .getCache("async").get(7L) != null); // Spring puts once the future completed
      assertThat(ca.productAsync(7).get(10, TimeUnit.SECONDS)).isEqualTo(Product.of(7));
      assertThat(cb.productAsync(7).get(10, TimeUnit.SECONDS)).isEqualTo(Product.of(7));
      assertThat(source.loads).hasValue(1);

      assertThat(ca.productAsyncSync(8).get(10, TimeUnit.SECONDS)).isEqualTo(Product.of(8));
      assertThat(cb.productAsyncSync(8).get(10, TimeUnit.SECONDS)).isEqualTo(Product.of(8));
      assertThat(source.loads).hasValue(2);
      assertThat(source.asyncLoaderThreads).singleElement().asString()
          .startsWith("nearcache-spring-");
    }
  }

  /** Spring caches a {@code Mono} through {@code retrieve}, as a {@code CompletableFuture}. */
  @Test
  void reactorMonoMethodsAreCachedOnEveryNode(RedisServer redis) {
    Source source = new Source();
    Duration wait = Duration.ofSeconds(10);
    try (AnnotationConfigApplicationContext a = node(redis, source, 0);
        AnnotationConfigApplicationContext b = node(redis, source, 1)) {
      Catalog ca = a.getBean(Catalog.class);
      Catalog cb = b.getBean(Catalog.class);

      assertThat(ca.productMono(9).block(wait)).isEqualTo(Product.of(9));
      await().atMost(Duration.ofSeconds(5)).until(() -> a.getBean(NearCacheCacheManager.class)
          .getCache("mono").get(9L) != null); // Spring puts once the Mono emitted
      assertThat(ca.productMono(9).block(wait)).isEqualTo(Product.of(9));
      assertThat(cb.productMono(9).block(wait)).isEqualTo(Product.of(9));
      assertThat(source.loads).as("one call for three reads on two nodes").hasValue(1);

      assertThat(ca.productMonoSync(10).block(wait)).isEqualTo(Product.of(10));
      assertThat(cb.productMonoSync(10).block(wait)).isEqualTo(Product.of(10));
      assertThat(source.loads).hasValue(2);
    }
  }

  @Test
  void aMethodReturningNullIsCachedAsNull(RedisServer redis) {
    Source source = new Source();
    try (AnnotationConfigApplicationContext a = node(redis, source, 0);
        AnnotationConfigApplicationContext b = node(redis, source, 1)) {
      assertThat(a.getBean(Catalog.class).lookup("")).isNull();
      assertThat(b.getBean(Catalog.class).lookup("")).isNull();
      assertThat(a.getBean(Catalog.class).lookup("")).isNull();
      assertThat(source.loads).hasValue(1);
    }
  }

  /** An application context of node {@code i}, with a client of its own that it closes. */
  private static AnnotationConfigApplicationContext node(RedisServer redis, Source source,
      int i) {
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    context.registerBean(Source.class, () -> source);
    context.registerBean(NearCacheClient.class, () -> NearCacheClient.builder()
        .redisUri(redis.uri()).keyPrefix(Nodes.PREFIX).instanceId("node-" + i).build());
    context.register(AppConfig.class);
    context.refresh();
    return context;
  }
}
