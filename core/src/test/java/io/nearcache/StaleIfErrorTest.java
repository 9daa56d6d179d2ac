package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CacheSpec#staleIfError()}: when the loader fails, a value that expired less than the
 * grace ago is served, never one older, and never one a write or an invalidation removed. Redis
 * is the clock: a value is in its grace while Redis still holds it past its TTL.
 */
@ExtendWith(RedisServerExtension.class)
class StaleIfErrorTest {
  private static final Duration PROPAGATION = Duration.ofSeconds(2);

  /** A database that can fail: its loader throws while it is down. */
  private static final class Database implements Function<String, String> {
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger loads = new AtomicInteger();

    @Override
    public String apply(String key) {
      if (down.get()) {
        throw new IllegalStateException("database down");
      }
      return "t1|v" + loads.incrementAndGet();
    }
  }

  @Test
  void withinTheGraceTheExpiredValueIsServedAndAfterItTheLoadersException(RedisServer redis) {
    CacheSpec spec = CacheSpec.parse("localTtl=1s,remoteTtl=1s,staleIfError=2s");
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", spec);
      Database database = new Database();
      assertThat(caches.get(0).get("k", database)).isEqualTo("t1|v1");
      assertThat(caches.get(1).get("k", database)).isEqualTo("t1|v1");
      awaitExpired(redis, caches, "k");

      database.down.set(true); // until the grace has run out
      AtomicInteger served = new AtomicInteger();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
        DefaultNearCache<String, String> cache = caches.get(served.get() % 2);
        try {
          assertThat(cache.get("k", database)).isEqualTo("t1|v1");
          assertThat(cache.peekLocal("k")).as("served, not cached").isNull();
          served.incrementAndGet();
          return false;
        } catch (IllegalStateException e) {
          assertThat(e).hasMessage("database down");
          return true;
        }
      });
      assertThat(pttl(redis, "k")).as("the exception came once Redis dropped the value")
          .isEqualTo(-2);
      long staleServed = caches.get(0).stats().staleServed() + caches.get(1).stats().staleServed();
      System.out.printf("stale-if-error: %d reads served the expired value within the 2 s grace,"
          + " then the loader's exception%n", served.get());
      assertThat(served).as("reads within the grace").hasValueGreaterThan(5);
      assertThat(staleServed).isEqualTo(served.get());

      database.down.set(false);
      assertThat(caches.get(1).get("k", database)).isEqualTo("t1|v2");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"nothing", "invalidate", "invalidateAll", "invalidateTag", "put"})
  void aValueRemovedByAWriteOrAnInvalidationIsNeverServedStale(String removal,
      RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      Database database = new Database();
      List<DefaultNearCache<String, String>> caches = expiredInGrace(fleet, redis, database);
      remove(caches.get(1), removal, "k");
      database.down.set(true);

      DefaultNearCache<String, String> reader = caches.get(0);
      switch (removal) {
        case "nothing" -> assertThat(reader.get("k", database)).isEqualTo("t1|v1");
        case "put" -> await().atMost(PROPAGATION)
            .until(() -> "t1|written".equals(reader.get("k", database)));
        default -> assertThatThrownBy(() -> reader.get("k", database))
            .isInstanceOf(IllegalStateException.class).hasMessage("database down");
      }
      assertThat(reader.stats().staleServed()).isEqualTo(removal.equals("nothing") ? 1 : 0);
    }
  }

  /**
   * The race the test above leaves to timing, made certain: the removal comes from another node
   * while the reader's load is under way, after the reader found the expired value and before its
   * loader fails, so that no message of it can have reached the reader. The reader must still not
   * serve the removed value: the grace is checked against Redis, not against what it has heard.
   */
  @ParameterizedTest
  @ValueSource(strings = {"invalidate", "invalidateAll", "invalidateTag", "put"})
  void aRemovalDuringTheFailingLoadRulesTheExpiredValueOut(String removal, RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches =
          expiredInGrace(fleet, redis, new Database());
      NearCache<String, String> writer = caches.get(1);
      AtomicInteger calls = new AtomicInteger();
      Function<String, String> removingThenFailing = key -> {
        calls.incrementAndGet();
        remove(writer, removal, key);
        throw new IllegalStateException("database down");
      };
      DefaultNearCache<String, String> reader = caches.get(0);
      assertThatThrownBy(() -> reader.get("k", removingThenFailing))
          .isInstanceOf(IllegalStateException.class).hasMessage("database down");
      assertThat(calls).as("the reader's own load failed").hasValue(1);
      assertThat(reader.stats().staleServed()).isZero();
    }
  }

  /**
   * The tagged cache {@code product} on each node of {@code fleet}, its key {@code k} loaded from
   * {@code database} by the first node and now expired in both tiers, within an hour's grace.
   */
  private static List<DefaultNearCache<String, String>> expiredInGrace(Fleet fleet,
      RedisServer redis, Database database) {
    List<DefaultNearCache<String, String>> caches = fleet.taggedCaches("product",
        CacheSpec.parse("localTtl=500ms,remoteTtl=500ms,staleIfError=1h"));
    caches.get(0).get("k", database);
    awaitExpired(redis, caches, "k");
    return caches;
  }

  /** Removes the value of {@code key} from {@code writer} as {@code removal} names. */
  private static void remove(NearCache<String, String> writer, String removal, String key) {
    switch (removal) {
      case "invalidate" -> writer.invalidate(key);
      case "invalidateAll" -> writer.invalidateAll();
      case "invalidateTag" -> writer.invalidateTag("t1");
      case "put" -> writer.put(key, "t1|written");
      default -> { } // "nothing": the expired value stays in its grace
    }
  }

  /** Waits until both tiers let the value of {@code key} expire and Redis keeps it in grace. */
  private static void awaitExpired(RedisServer redis, List<DefaultNearCache<String, String>> caches,
      String key) {
    await().atMost(Duration.ofSeconds(5)).until(() -> caches.stream()
        .allMatch(c -> c.getIfPresent(key) == null));
    assertThat(pttl(redis, key)).as("kept for the grace").isPositive();
  }

  private static long pttl(RedisServer redis, String key) {
    return redis.withJedis(j -> j.pttl(ReadPathTest.keyOf("product", key)));
  }
}
