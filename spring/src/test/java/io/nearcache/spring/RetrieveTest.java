package io.nearcache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.cache.Cache;
import org.springframework.cache.Cache.ValueWrapper;

/**
 * {@code retrieve(key)} and {@code retrieve(key, loader)}: work off the caller's thread, futures
 * that complete, single flight, failures in the future, and no blocking while Redis hangs.
 */
@ExtendWith(RedisServerExtension.class)
class RetrieveTest {
  private static final String NAME = "product";
  private static final long WAIT_SECONDS = 10;

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void retrieveWithALoaderLoadsOnARetrievalThreadAndCompletes(SerializerKind kind,
      RedisServer redis) throws Exception {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      List<Thread> loaderThreads = new CopyOnWriteArrayList<>();
      Supplier<CompletableFuture<Product>> loader = () -> {
        loaderThreads.add(Thread.currentThread());
        return CompletableFuture.completedFuture(Product.of(1));
      };

      CompletableFuture<Product> first = a.retrieve("1", loader);

      assertThat(first.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(Product.of(1));
      assertThat(loaderThreads).hasSize(1);
      assertThat(loaderThreads.get(0)).isNotSameAs(Thread.currentThread());
      assertThat(loaderThreads.get(0).getName()).startsWith("nearcache-spring-" + Nodes.PREFIX);
      assertThat(a.retrieve("1", loader).get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo(Product.of(1));
      assertThat(b.retrieve("1", loader).get(WAIT_SECONDS, TimeUnit.SECONDS))
          .as("another node's L2 hit").isEqualTo(Product.of(1));
      assertThat(b.get("1", Product.class)).isEqualTo(Product.of(1));
      assertThat(loaderThreads).as("hits do not load").hasSize(1);
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void retrieveCompletesWithAWrapperOnAHitAndNullOnAMiss(SerializerKind kind, RedisServer redis)
      throws Exception {
    try (Nodes nodes = Nodes.of(redis, 1, kind)) {
      Cache cache = nodes.cache(0, NAME);
      cache.put("1", Product.of(1));
      cache.put("null", null);

      assertThat(cache.retrieve("1")).isNotNull().succeedsWithin(Duration.ofSeconds(WAIT_SECONDS))
          .isInstanceOfSatisfying(ValueWrapper.class,
              w -> assertThat(w.get()).isEqualTo(Product.of(1)));
      assertThat(cache.retrieve("null")).isNotNull()
          .succeedsWithin(Duration.ofSeconds(WAIT_SECONDS))
          .isInstanceOfSatisfying(ValueWrapper.class, w -> assertThat(w.get()).isNull());
      assertThat(cache.retrieve("missing")).isNotNull()
          .succeedsWithin(Duration.ofSeconds(WAIT_SECONDS)).isNull();
      AtomicInteger loads = new AtomicInteger();
      assertThat(cache.retrieve("null", () -> {
        loads.incrementAndGet();
        return CompletableFuture.completedFuture(Product.of(2));
      }).get(WAIT_SECONDS, TimeUnit.SECONDS)).as("a cached null is a hit").isNull();
      assertThat(loads).hasValue(0);
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void concurrentRetrievesOfOneKeyLoadOnce(SerializerKind kind, RedisServer redis)
      throws Exception {
    try (Nodes nodes = Nodes.of(redis, 2, kind)) {
      List<Cache> caches = List.of(nodes.cache(0, NAME), nodes.cache(1, NAME));
      AtomicInteger loads = new AtomicInteger();
      CompletableFuture<Product> slow = new CompletableFuture<>();
      List<CompletableFuture<Product>> futures = Concurrently.run(10, t ->
          () -> caches.get(t % 2).retrieve("cold", () -> {
            loads.incrementAndGet();
            return slow;
          }));
      assertThat(futures).as("none done before the loader's future").noneMatch(
          CompletableFuture::isDone);

      slow.complete(Product.of(3));

      for (CompletableFuture<Product> future : futures) {
        assertThat(future.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(Product.of(3));
      }
      assertThat(loads).hasValue(1);
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void aFailedLoadFailsTheFutureWithWhatTheLoaderFailedWith(SerializerKind kind,
      RedisServer redis) throws Exception {
    try (Nodes nodes = Nodes.of(redis, 1, kind)) {
      Cache cache = nodes.cache(0, NAME);
      IllegalStateException thrown = new IllegalStateException("loader threw");
      IllegalStateException failed = new IllegalStateException("loader's future failed");

      CompletableFuture<Product> throwing = cache.retrieve("1", () -> {
        throw thrown;
      });
      CompletableFuture<Product> failing =
          cache.retrieve("2", () -> CompletableFuture.failedFuture(failed));

      assertThatThrownBy(() -> throwing.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isSameAs(thrown);
      assertThatThrownBy(() -> failing.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isSameAs(failed);
      assertThat(cache.get("1")).as("nothing cached").isNull();
      assertThat(cache.get("2")).as("nothing cached").isNull();
    }
  }

  @Test
  void retrieveReturnsAtOnceWhileRedisHangs(RedisServer redis) throws Exception {
    // A Redis timeout long enough that a blocking call could not hide inside the timings below.
    try (Nodes nodes = new Nodes(redis, 1, c -> c.redisTimeout(Duration.ofMillis(800)),
        b -> b.defaultSpec(Nodes.LONG_LIVED).defaultSerializer(SerializerKind.KRYO.create()))) {
      Cache cache = nodes.cache(0, NAME);
      cache.put("warm", Product.of(1));
      redis.pause();
      try {
        long start = System.nanoTime();
        CompletableFuture<?> lookup = cache.retrieve("cold");
        CompletableFuture<Product> load =
            cache.retrieve("cold", () -> CompletableFuture.completedFuture(Product.of(2)));
        long returnedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(returnedMillis).as("both calls returned before one Redis timeout")
            .isLessThan(400);
        assertThat(lookup).isNotNull().isNotDone();
        assertThat(load).isNotDone();
        assertThat(lookup).succeedsWithin(Duration.ofSeconds(WAIT_SECONDS))
            .as("a Redis failure is a miss").isNull();
        assertThat(load).succeedsWithin(Duration.ofSeconds(WAIT_SECONDS))
            .as("the loader serves").isEqualTo(Product.of(2));
        System.out.printf("retrieve with Redis paused: calls returned in %d ms, futures done"
            + " after %d ms%n", returnedMillis,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      } finally {
        redis.resume();
      }
    }
  }

  @Test
  void retrievalsTheExecutorRefusesGoWithoutTheCache(RedisServer redis) throws Exception {
    try (Nodes nodes = new Nodes(redis, 1, b -> b.defaultSpec(Nodes.LONG_LIVED)
        .defaultSerializer(SerializerKind.KRYO.create())
        .executor(task -> {
          throw new java.util.concurrent.RejectedExecutionException("full");
        }))) {
      NearCacheCache cache = (NearCacheCache) nodes.cache(0, NAME);
      cache.put("1", Product.of(1));
      List<Thread> loaderThreads = new CopyOnWriteArrayList<>();

      CompletableFuture<?> lookup = cache.retrieve("1");
      CompletableFuture<Product> load = cache.retrieve("2", () -> {
        loaderThreads.add(Thread.currentThread());
        return CompletableFuture.completedFuture(Product.of(2));
      });

      assertThat(lookup).as("a miss, so that Spring calls the method").isCompletedWithValue(null);
      assertThat(load).isCompletedWithValue(Product.of(2));
      assertThat(loaderThreads).containsExactly(Thread.currentThread());
      assertThat(cache.get("2")).as("not cached").isNull();
      assertThat(cache.rejectedRetrievals()).isEqualTo(2);
    }
  }
}
