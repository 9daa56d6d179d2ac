package io.nearcache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.cache.Cache;
import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.Cache.ValueWrapper;

/**
 * Spring's {@link Cache} contract, as NearCacheCache keeps it on real Redis, for every serializer
 * the project ships; "node" is a client and manager of its own, as another JVM would have.
 */
@ExtendWith(RedisServerExtension.class)
class NearCacheCacheContractTest {
  private static final String NAME = "product";
  private static final Duration PROPAGATION = Duration.ofSeconds(5);

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void aPutValueIsReadOnEveryNode(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      assertThat(a.get("1")).isNull();

      a.put("1", Product.of(1));

      assertThat(a.get("1")).extracting(ValueWrapper::get).isEqualTo(Product.of(1));
      assertThat(b.get("1", Product.class)).isEqualTo(Product.of(1));
      assertThatThrownBy(() -> b.get("1", String.class))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not of required type [java.lang.String]");
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void aPutReplacesTheValueThatOtherNodesHeld(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      a.put("1", Product.of(1));
      assertThat(b.get("1", Product.class)).isEqualTo(Product.of(1)); // now in b's L1

      a.put("1", Product.of(2));

      assertThat(a.get("1", Product.class)).isEqualTo(Product.of(2));
      await().atMost(PROPAGATION).until(() -> Product.of(2).equals(b.get("1", Product.class)));
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void nullsAreCachedWhenAllowed(SerializerKind kind, RedisServer redis) throws Exception {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);

      a.put("put-null", null);
      AtomicInteger loads = new AtomicInteger();
      Product loaded = a.get("loaded-null", () -> {
        loads.incrementAndGet();
        return null;
      });

      assertThat(loaded).isNull();
      for (Cache cache : List.of(a, b)) {
        for (String key : List.of("put-null", "loaded-null")) {
          assertThat(cache.get(key)).as("%s on a node", key).isNotNull()
              .extracting(ValueWrapper::get).isNull();
          assertThat(cache.get(key, Product.class)).isNull();
          assertThat(cache.<Product>get(key, () -> {
            loads.incrementAndGet();
            return Product.of(9);
          })).as("a cached null is a hit").isNull();
        }
      }
      assertThat(loads).hasValue(1);
      assertThat(((NearCacheCache) a).isAllowNullValues()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void nullsAreRefusedAsSpringRefusesThemWhenNotAllowed(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = new Nodes(redis, 1, b -> b.defaultSpec(Nodes.LONG_LIVED)
        .defaultSerializer(kind.create()).allowNullValues(false))) {
      Cache cache = nodes.cache(0, NAME);
      String refusal = "Cache 'product' is configured to not allow null values but null was"
          + " provided";

      assertThatThrownBy(() -> cache.put("1", null))
          .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(refusal);
      assertThatThrownBy(() -> cache.putIfAbsent("1", null))
          .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(refusal);
      assertThatThrownBy(() -> cache.get("1", () -> null))
          .isInstanceOf(ValueRetrievalException.class)
          .cause().isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(refusal);
      assertThat(cache.get("1")).as("nothing cached").isNull();
      assertThat(((NearCacheCache) cache).isAllowNullValues()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void putIfAbsentStoresOnlyWhatIsAbsent(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);

      assertThat(a.putIfAbsent("1", Product.of(1))).as("stored").isNull();
      assertThat(b.putIfAbsent("1", Product.of(2))).as("exists")
          .extracting(ValueWrapper::get).isEqualTo(Product.of(1));
      assertThat(a.putIfAbsent("1", Product.of(3))).extracting(ValueWrapper::get)
          .isEqualTo(Product.of(1));
      assertThat(b.get("1", Product.class)).isEqualTo(Product.of(1));
      assertThat(a.get("1", Product.class)).isEqualTo(Product.of(1));

      assertThat(a.putIfAbsent("null", null)).isNull();
      assertThat(b.putIfAbsent("null", Product.of(4))).as("a cached null exists").isNotNull()
          .extracting(ValueWrapper::get).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void concurrentPutIfAbsentOnTwoNodesHasOneWinnerEverywhere(SerializerKind kind,
      RedisServer redis) throws Exception {
    int keys = 100;
    int threadsPerNode = 2;
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      List<Cache> caches = List.of(nodes.cache(0, NAME), nodes.cache(1, NAME));
      int threads = caches.size() * threadsPerNode;
      CyclicBarrier together = new CyclicBarrier(threads);
      // Thread t offers product 1000 * (t + 1) + key, so a value names its writer.
      List<List<ValueWrapper>> results = Concurrently.run(threads, t -> () -> {
        Cache cache = caches.get(t / threadsPerNode);
        List<ValueWrapper> mine = new ArrayList<>();
        for (int key = 0; key < keys; key++) {
          together.await(10, TimeUnit.SECONDS);
          mine.add(cache.putIfAbsent("k" + key, Product.of(1000L * (t + 1) + key)));
        }
        return mine;
      });

      int[] winsPerNode = new int[caches.size()];
      for (int key = 0; key < keys; key++) {
        int k = key;
        List<Integer> winners = IntStream.range(0, threads)
            .filter(t -> results.get(t).get(k) == null).boxed().toList();
        assertThat(winners).as("key %d: callers told their value was stored", key).hasSize(1);
        int winner = winners.get(0);
        Product stored = Product.of(1000L * (winner + 1) + key);
        for (int t = 0; t < threads; t++) {
          if (t != winner) {
            assertThat(results.get(t).get(key).get()).as("key %d, thread %d", key, t)
                .isEqualTo(stored);
          }
        }
        for (Cache cache : caches) {
          assertThat(cache.get("k" + key, Product.class)).isEqualTo(stored);
        }
        winsPerNode[winner / threadsPerNode]++;
      }
      System.out.printf("putIfAbsent race (%s): %d keys, node 0 won %d, node 1 won %d%n",
          kind, keys, winsPerNode[0], winsPerNode[1]);
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void evictRemovesTheKeyOnEveryNode(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      a.put("1", Product.of(1));
      a.put("2", Product.of(2));
      assertThat(b.get("1", Product.class)).isEqualTo(Product.of(1));

      a.evict("1");

      assertThat(a.get("1")).isNull();
      await().atMost(PROPAGATION).until(() -> b.get("1") == null);
      assertThat(b.get("2", Product.class)).as("other keys stay").isEqualTo(Product.of(2));
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void evictIfPresentRemovesAtOnceAndSaysWhetherThereWasAValue(SerializerKind kind,
      RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      a.put("1", Product.of(1));
      a.put("null", null);
      assertThat(b.get("1", Product.class)).isEqualTo(Product.of(1));

      assertThat(a.evictIfPresent("1")).isTrue();
      assertThat(a.get("1")).isNull();
      assertThat(a.evictIfPresent("1")).isFalse();
      assertThat(a.evictIfPresent("never")).isFalse();
      assertThat(b.evictIfPresent("null")).as("a cached null is present").isTrue();
      assertThat(a.get("null")).isNull();
      await().atMost(PROPAGATION).until(() -> b.get("1") == null);
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void clearEmptiesTheCacheOnEveryNode(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      Cache other = nodes.cache(0, "other");
      fill(a, b, 10);
      other.put("1", Product.of(1));

      a.clear();

      for (int i = 0; i < 10; i++) {
        assertThat(a.get("k" + i)).isNull();
      }
      await().atMost(PROPAGATION)
          .until(() -> IntStream.range(0, 10).allMatch(i -> b.get("k" + i) == null));
      assertThat(other.get("1", Product.class)).as("another cache").isEqualTo(Product.of(1));
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void invalidateEmptiesTheCacheAtOnceOnEveryNode(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      fill(a, b, 10);

      assertThat(a.invalidate()).as("prior presence is not determined").isFalse();

      for (int i = 0; i < 10; i++) {
        assertThat(a.get("k" + i)).isNull();
      }
      await().atMost(PROPAGATION)
          .until(() -> IntStream.range(0, 10).allMatch(i -> b.get("k" + i) == null));
      a.put("k0", Product.of(7));
      assertThat(b.get("k0", Product.class)).as("usable after").isEqualTo(Product.of(7));
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void getWithALoaderLoadsOnceForTenThreads(SerializerKind kind, RedisServer redis)
      throws Exception {
    try (Nodes nodes = Nodes.of(redis, 1, kind)) {
      Cache cache = nodes.cache(0, NAME);
      assertThat(stampede(List.of(cache), 10)).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void getWithALoaderLoadsOnceForTenThreadsOnEachOfTwoNodes(SerializerKind kind,
      RedisServer redis) throws Exception {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      assertThat(stampede(List.of(nodes.cache(0, NAME), nodes.cache(1, NAME)), 10)).isEqualTo(1);
    }
  }

  /**
   * Has {@code threads} threads per cache ask for one cold key at once, the loader holding on
   * until every thread is at its call; returns how often the loader ran.
   */
  private static int stampede(List<Cache> caches, int threads) throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch atTheirCall = new CountDownLatch(caches.size() * threads);
    List<Product> results = Concurrently.run(caches.size() * threads, t -> () -> {
      atTheirCall.countDown();
      return caches.get(t / threads).get("cold", () -> {
        loads.incrementAndGet();
        assertThat(atTheirCall.await(10, TimeUnit.SECONDS)).isTrue();
        return Product.of(42);
      });
    });
    assertThat(results).hasSize(caches.size() * threads).containsOnly(Product.of(42));
    System.out.printf("get(key, loader): %d nodes x %d threads, %d load(s)%n", caches.size(),
        threads, loads.get());
    return loads.get();
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void getWithALoaderDoesNotCallItOnAHit(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      a.put("put", Product.of(1));
      AtomicInteger loads = new AtomicInteger();

      assertThat(a.get("put", () -> Product.of(loads.incrementAndGet()))).isEqualTo(Product.of(1));
      assertThat(b.get("put", () -> Product.of(loads.incrementAndGet()))).isEqualTo(Product.of(1));
      assertThat(a.get("loaded", () -> Product.of(10 + loads.incrementAndGet())))
          .isEqualTo(Product.of(11));
      assertThat(b.get("loaded", () -> Product.of(loads.incrementAndGet())))
          .isEqualTo(Product.of(11));
      assertThat(loads).hasValue(1);
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void getWithALoaderWrapsWhatTheLoaderThrew(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 1, kind)) {
      Cache cache = nodes.cache(0, NAME);
      IOException checked = new IOException("database down");
      IllegalStateException unchecked = new IllegalStateException("no such row");

      for (Exception thrown : List.of(checked, unchecked)) {
        assertThatThrownBy(() -> cache.get("1", () -> {
          throw thrown;
        }))
            .isInstanceOfSatisfying(ValueRetrievalException.class,
                e -> assertThat(e.getKey()).isEqualTo("1"))
            .cause().isSameAs(thrown);
        assertThat(cache.get("1")).as("nothing cached").isNull();
      }
      assertThat(cache.get("1", () -> Product.of(1))).as("the next call loads")
          .isEqualTo(Product.of(1));
    }
  }

  /** Puts keys k0..k(n-1) through {@code writer} and reads them through {@code reader}. */
  private static void fill(Cache writer, Cache reader, int n) {
    for (int i = 0; i < n; i++) {
      writer.put("k" + i, Product.of(i));
    }
    for (int i = 0; i < n; i++) {
      assertThat(reader.get("k" + i, Product.class)).isEqualTo(Product.of(i));
    }
  }
}
