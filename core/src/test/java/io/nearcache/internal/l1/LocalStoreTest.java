package io.nearcache.internal.l1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.CacheSpec;
import io.nearcache.internal.l1.LocalStore.Reservation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The slots of L1 as the hit path reads them: plain values, wrapped values and "no value". */
class LocalStoreTest {
  private final CoarseClock clock = new CoarseClock();

  @Test
  void aCountBoundedStoreServesWhatWasFilledAndNothingElse() {
    LocalStore<String> store = new LocalStore<>(CacheSpec.parse("localMaxSize=10"), clock,
        Runnable::run);
    assertThat(store.get("k")).isSameAs(LocalStore.MISS);
    Reservation reservation = (Reservation) store.reserve("k");
    assertThat(store.get("k")).as("a reservation is not servable").isSameAs(LocalStore.MISS);
    assertThat(store.fill("k", reservation, "v", 1)).isTrue();
    assertThat(store.get("k")).isEqualTo("v");
    assertThat(store.reserve("k")).as("a filled slot is returned, not reserved").isEqualTo("v");
  }

  @Test
  void aStoreBoundedToNothingHoldsNeitherReservationsNorValues() {
    LocalStore<String> store = new LocalStore<>(CacheSpec.parse("localMaxSize=0"), clock,
        Runnable::run);
    Reservation reservation = (Reservation) store.reserve("k");
    assertThat(store.estimatedSize()).as("reservation stored").isZero();
    assertThat(store.fill("k", reservation, "v", 1)).as("fill accepted").isFalse();
    assertThat(store.get("k")).isSameAs(LocalStore.MISS);
    assertThat(store.estimatedSize()).as("value stored").isZero();
  }

  @Test
  void aBytesBoundedStoreWeighsValuesByTheirEncodedSize() {
    LocalStore<String> store = new LocalStore<>(CacheSpec.parse("localMaxBytes=1000"), clock,
        Runnable::run);
    for (int i = 0; i < 50; i++) {
      String key = "k" + i;
      store.fill(key, (Reservation) store.reserve(key), "v" + i, 100);
    }
    assertThat(store.estimatedSize()).isEqualTo(10); // 1,000 bytes of 100-byte values
    int served = 0;
    for (int i = 0; i < 50; i++) {
      Object found = store.get("k" + i);
      if (found != LocalStore.MISS) {
        assertThat(found).as("served unwrapped").isEqualTo("v" + i);
        served++;
      }
    }
    assertThat(served).isEqualTo(10);
  }

  @Test
  void aCachedNoValueIsNullUntilItsShorterTtlPasses() {
    LocalStore<String> store = new LocalStore<>(
        CacheSpec.parse("localTtl=1h,nullTtl=50ms"), clock, Runnable::run);
    store.fill("absent", (Reservation) store.reserve("absent"), null, 1);
    store.fill("present", (Reservation) store.reserve("present"), "v", 1);
    assertThat(store.get("absent")).isNull();

    await().atMost(Duration.ofSeconds(5)).until(() -> {
      clock.tick();
      return store.get("absent") == LocalStore.MISS;
    });
    assertThat(store.get("present")).isEqualTo("v");
    assertThat(store.reserve("absent")).as("an expired slot is reserved again")
        .isInstanceOf(Reservation.class);
  }

  @Test
  void valuesExpireAfterLocalTtlOnTheClock() {
    LocalStore<String> store = new LocalStore<>(CacheSpec.parse("localTtl=50ms"), clock,
        Runnable::run);
    store.fill("k", (Reservation) store.reserve("k"), "v", 1);
    assertThat(store.get("k")).isEqualTo("v");

    await().atMost(Duration.ofSeconds(5)).until(() -> {
      clock.tick();
      return store.get("k") == LocalStore.MISS;
    });
  }

  @Test
  void aClockThatIsNotTickedStandsStill() {
    LocalStore<String> store = new LocalStore<>(CacheSpec.parse("localTtl=1ms"), clock,
        Runnable::run);
    store.fill("k", (Reservation) store.reserve("k"), "v", 1);
    long start = System.nanoTime();
    while (System.nanoTime() - start < 5_000_000) {
      Thread.onSpinWait(); // 5 ms of real time, none of it on the clock
    }
    assertThat(store.get("k")).isEqualTo("v");
    clock.tick();
    assertThat(store.get("k")).isSameAs(LocalStore.MISS);
  }
}
