package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import io.nearcache.testkit.TcpProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link NearCache#invalidateTags}: every entry with a tag leaves every node's L1 and becomes
 * unreachable in L2, nothing else does, and it keeps {@code invalidate}'s promises: no stale fill
 * of a load that began before it, and replay after lost contact.
 */
@ExtendWith(RedisServerExtension.class)
class TagInvalidationTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final Duration PROPAGATION = Duration.ofSeconds(2);

  /** Listings: "page-1" shows p1 and p2, "page-2" p2 and p3, "page-3" p3. */
  private static final Map<String, String> PAGES = Map.of(
      "page-1", "p1,p2|one", "page-2", "p2,p3|two", "page-3", "p3|three");

  @Test
  void aTagInvalidationDropsExactlyTheEntriesCarryingItOnEveryNode(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 3)) {
      List<DefaultNearCache<String, String>> caches = fleet.taggedCaches("listing", SPEC);
      AtomicInteger loads = new AtomicInteger();
      for (DefaultNearCache<String, String> cache : caches) {
        PAGES.keySet().forEach(page -> cache.get(page, p -> {
          loads.incrementAndGet();
          return PAGES.get(p);
        }));
      }
      assertThat(loads).as("one load per page across the fleet").hasValue(3);

      caches.get(0).invalidateTag("p1");

      assertThat(caches.get(0).peekLocal("page-1")).as("the writer's own L1, at once").isNull();
      for (DefaultNearCache<String, String> cache : caches) {
        await().atMost(PROPAGATION).until(() -> cache.peekLocal("page-1") == null);
        assertThat(cache.peekLocal("page-2")).isEqualTo("p2,p3|two");
        assertThat(cache.peekLocal("page-3")).isEqualTo("p3|three");
      }
      assertThat(caches.get(2).getIfPresent("page-1")).as("unreachable in L2 too").isNull();
      assertThat(caches.get(1).get("page-1", p -> "p1,p2|one, repriced"))
          .isEqualTo("p1,p2|one, repriced");
      assertThat(caches.get(2).get("page-1", p -> "loaded again"))
          .as("the reload reached L2 for everyone").isEqualTo("p1,p2|one, repriced");

      caches.get(1).invalidateTags(List.of("p3", "p2"));
      for (DefaultNearCache<String, String> cache : caches) {
        await().atMost(PROPAGATION).until(() -> cache.estimatedSize() == 0);
      }
    }
  }

  @Test
  void aValueWrittenBeforeATagInvalidationIsNotServedFromRedisAfterIt(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.taggedCaches("listing", SPEC);
      caches.get(0).put("page-1", "p1,p2|old");
      caches.get(0).invalidateTag("p2");
      assertThat(caches.get(1).get("page-1", p -> "p1,p2|new")).isEqualTo("p1,p2|new");
      assertThat(caches.get(0).get("page-1", p -> "p1,p2|newer")).isEqualTo("p1,p2|new");
    }
  }

  /**
   * The stale-fill race of {@link StaleFillTest}, for tags: a load that read the database before
   * a price change, and whose tag invalidation reached the loading node while it was still
   * loading, must enter neither tier.
   */
  @Test
  void aLoadThatBeganBeforeATagInvalidationEntersNeitherTier(RedisServer redis)
      throws Exception {
    ConcurrentHashMap<String, String> database = new ConcurrentHashMap<>(PAGES);
    try (Fleet fleet = new Fleet(redis, 3)) {
      List<DefaultNearCache<String, String>> caches = fleet.taggedCaches("listing", SPEC);
      DefaultNearCache<String, String> loader = caches.get(0);
      loader.get("page-3", database::get); // shows p3, a sign that p3's invalidation arrived
      CountDownLatch loaderRead = new CountDownLatch(1);
      CountDownLatch invalidated = new CountDownLatch(1);
      CompletableFuture<String> slowLoad = CompletableFuture.supplyAsync(() ->
          loader.get("page-2", k -> {
            String read = database.get(k);
            loaderRead.countDown();
            Concurrently.awaitLatch(invalidated);
            return read;
          }));
      assertThat(loaderRead.await(5, TimeUnit.SECONDS)).isTrue();

      database.put("page-2", "p2,p3|two, repriced");
      caches.get(1).invalidateTags(List.of("p2", "p3"));
      await().atMost(PROPAGATION).until(() -> loader.peekLocal("page-3") == null);
      invalidated.countDown();

      assertThat(slowLoad.get(5, TimeUnit.SECONDS)).as("the caller still gets what it read")
          .isEqualTo("p2,p3|two");
      assertThat(loader.peekLocal("page-2")).as("not in the loader's L1").isNull();
      for (DefaultNearCache<String, String> cache : caches) {
        assertThat(cache.get("page-2", database::get)).as("nor served from L2")
            .isEqualTo("p2,p3|two, repriced");
      }
    }
  }

  @Test
  void aNodeThatMissedTagInvalidationsReplaysThem(RedisServer redis) {
    AtomicInteger built = new AtomicInteger();
    try (TcpProxy proxy = TcpProxy.to(redis.host(), redis.port());
        Fleet fleet = new Fleet(2, b -> b.redisUri(
            built.getAndIncrement() == 0 ? redis.uri() : proxy.uri()))) {
      List<DefaultNearCache<String, String>> caches = fleet.taggedCaches("listing", SPEC);
      DefaultNearCache<String, String> writer = caches.get(0);
      DefaultNearCache<String, String> reader = caches.get(1);
      PAGES.keySet().forEach(page -> reader.get(page, PAGES::get));

      proxy.cut();
      writer.invalidateTag("p1");
      writer.invalidateTag("p3");
      await().atMost(PROPAGATION).until(() -> !reader.servesL1());
      proxy.restore();

      await().atMost(Duration.ofSeconds(10)).until(reader::servesL1);
      assertThat(reader.peekLocal("page-1")).isNull();
      assertThat(reader.peekLocal("page-2")).isNull();
      assertThat(reader.peekLocal("page-3")).isNull();
      assertThat(reader.stats().replayedInvalidations()).isEqualTo(2);
      assertThat(reader.stats().flushes()).as("replayed, not flushed").isZero();
    }
  }

  @Test
  void badTagsAreRefusedNamingTheTag(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      NearCache<String, String> cache = fleet.taggedCaches("listing", SPEC).get(0);
      assertThatThrownBy(() -> cache.invalidateTag("")).isInstanceOf(
          IllegalArgumentException.class).hasMessageContaining("non-empty");
      assertThatThrownBy(() -> cache.put("k", "a\0b|v"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+0000");
      NearCache<String, String> nulls = fleet.client(0).cache("nulls", SPEC, KeyCodec.strings(),
          new StringSerializer(), v -> null);
      assertThatThrownBy(() -> nulls.get("k", k -> "v"))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("tag function");
      assertThat(nulls.stats().loadSuccesses()).isEqualTo(1);
    }
  }
}
