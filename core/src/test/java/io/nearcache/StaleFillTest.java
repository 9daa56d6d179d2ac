package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two classic near-cache races, made deterministic with latches: a value read before a write
 * must enter neither L2 (from a loader) nor L1 (from L2 or a loader) after the write.
 */
@ExtendWith(RedisServerExtension.class)
class StaleFillTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final Duration PROPAGATION = Duration.ofSeconds(2);

  @ParameterizedTest
  @ValueSource(strings = {"invalidate", "put"})
  void aLoaderResultComputedBeforeAWriteIsNotWrittenToRedis(String write, RedisServer redis)
      throws Exception {
    ConcurrentHashMap<String, String> database = new ConcurrentHashMap<>();
    database.put("k", "v1");
    try (Fleet fleet = new Fleet(redis, 3)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      CountDownLatch loaderRead = new CountDownLatch(1);
      CountDownLatch writeDone = new CountDownLatch(1);
      CompletableFuture<String> slowRead = CompletableFuture.supplyAsync(() ->
          caches.get(0).get("k", k -> {
            String read = database.get(k);
            loaderRead.countDown();
            Concurrently.awaitLatch(writeDone);
            return read;
          }));
      assertThat(loaderRead.await(5, TimeUnit.SECONDS)).isTrue();

      database.put("k", "v2");
      if (write.equals("put")) {
        caches.get(1).put("k", "v2");
      } else {
        caches.get(1).invalidate("k");
      }
      writeDone.countDown();

      assertThat(slowRead.get(5, TimeUnit.SECONDS)).as("the caller still gets what it read")
          .isEqualTo("v1");
      byte[] stored = redis.withJedis(j -> j.get(ReadPathTest.keyOf("product", "k")));
      if (write.equals("put")) {
        assertThat(stored).isEqualTo(new byte[] {1, 'v', '2'});
      } else {
        assertThat(stored).as("v1 was refused; nothing replaced the invalidated value").isNull();
      }
      for (DefaultNearCache<String, String> cache : caches) {
        await().atMost(PROPAGATION).until(() -> !"v1".equals(cache.peekLocal("k")));
        assertThat(cache.get("k", database::get)).isEqualTo("v2");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"invalidate", "put", "invalidateAll"})
  void aValueReadFromRedisBeforeAnInvalidationArrivedDoesNotEnterL1(String write,
      RedisServer redis) throws Exception {
    GatedSerializer gated = new GatedSerializer();
    try (Fleet fleet = new Fleet(redis, 2)) {
      DefaultNearCache<String, String> reader = (DefaultNearCache<String, String>)
          fleet.client(0).cache("product", SPEC, gated);
      NearCache<String, String> writer =
          fleet.client(1).cache("product", SPEC, new StringSerializer());
      reader.get("barrier", k -> "b");
      writer.put("k", "v1");
      writer.invalidate("barrier");
      // One sender's messages arrive in order: once "barrier" is gone, so is k's invalidation.
      await().atMost(PROPAGATION).until(() -> reader.peekLocal("barrier") == null);
      gated.close();

      AtomicInteger loads = new AtomicInteger();
      CompletableFuture<String> read = CompletableFuture.supplyAsync(() ->
          reader.get("k", k -> "loaded #" + loads.incrementAndGet()));
      assertThat(gated.decoding.await(5, TimeUnit.SECONDS)).as("reader holds v1's bytes").isTrue();
      assertThat(reader.estimatedSize()).as("the reservation").isEqualTo(1);

      switch (write) {
        case "put" -> writer.put("k", "v2");
        case "invalidate" -> writer.invalidate("k");
        default -> writer.invalidateAll();
      }
      await().atMost(PROPAGATION).until(() -> reader.estimatedSize() == 0);
      gated.open();

      assertThat(read.get(5, TimeUnit.SECONDS)).as("read before the write, so v1 is a fair answer")
          .isEqualTo("v1");
      assertThat(reader.peekLocal("k")).as("but v1 did not enter L1 after the invalidation")
          .isNull();
      String expected = write.equals("put") ? "v2" : "loaded #1";
      assertThat(reader.get("k", k -> "loaded #" + loads.incrementAndGet())).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"invalidate", "put"})
  void theWritersOwnReadsFollowTheSameRule(String write, RedisServer redis) throws Exception {
    GatedSerializer gated = new GatedSerializer();
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = (DefaultNearCache<String, String>)
          fleet.client(0).cache("product", SPEC, gated);
      cache.put("k", "v1");
      gated.close();
      CompletableFuture<String> read = CompletableFuture.supplyAsync(() ->
          cache.get("k", k -> "loaded"));
      assertThat(gated.decoding.await(5, TimeUnit.SECONDS)).isTrue();

      if (write.equals("put")) {
        cache.put("k", "v2");
      } else {
        cache.invalidate("k");
      }
      gated.open();

      assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
      assertThat(cache.peekLocal("k")).isNull();
      assertThat(cache.get("k", k -> "loaded")).isEqualTo(write.equals("put") ? "v2" : "loaded");
    }
  }

  /** Strings whose decoding can be held at a gate, to freeze a reader between L2 and L1. */
  private static final class GatedSerializer implements Serializer<String> {
    private final StringSerializer strings = new StringSerializer();
    final CountDownLatch decoding = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile boolean closed;

    void close() {
      closed = true;
    }

    void open() {
      gate.countDown();
    }

    @Override
    public byte[] serialize(String value) {
      return strings.serialize(value);
    }

    @Override
    public String deserialize(byte[] bytes) {
      if (closed) {
        decoding.countDown();
        Concurrently.awaitLatch(gate);
      }
      return strings.deserialize(bytes);
    }
  }
}
