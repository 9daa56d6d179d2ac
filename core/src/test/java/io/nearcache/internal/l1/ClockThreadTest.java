package io.nearcache.internal.l1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.CacheSpec;
import io.nearcache.internal.l1.LocalStore.Reservation;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The clock thread ticks while the clock is read, naps once it is not, and a napping clock is
 * never behind: its next read is the time of that read, and L1 expiry keeps to its TTL.
 */
class ClockThreadTest {
  private static final Duration TICK = Duration.ofMillis(1);
  private static final Duration BOUND = Duration.ofSeconds(5);

  private final CoarseClock clock = new CoarseClock();
  private final TickMaintenance maintenance = new TickMaintenance(clock);
  private final ClockThread thread = new ClockThread("clock-under-test", clock, maintenance, TICK);

  @AfterEach
  void stop() {
    thread.stop(BOUND);
  }

  @Test
  void anUnreadClockNapsWithItsThreadParkedWithoutDeadline() {
    await().atMost(BOUND).until(clock::napping);
    Thread ticker = threadNamed("clock-under-test");
    await().atMost(BOUND).until(() -> ticker.getState() == Thread.State.WAITING);
    assertThat(clock.napping()).as("nothing woke it").isTrue();
  }

  @Test
  void aReadOfANappingClockIsTheTimeOfTheReadAndWakesTheThread() throws InterruptedException {
    await().atMost(BOUND).until(clock::napping);
    TimeUnit.MILLISECONDS.sleep(50); // the last tick is now 50 ms old
    long before = System.nanoTime();
    long read = clock.nanos();
    assertThat(read).as("no older than the read").isGreaterThanOrEqualTo(before);
    assertThat(clock.napping()).isFalse();
    long woken = clock.nanos();
    await().atMost(BOUND).until(() -> clock.nanos() > woken); // ticking again
  }

  @Test
  void maintenanceSubmittedWhileNappingRunsOnTheClockThread() throws InterruptedException {
    await().atMost(BOUND).until(clock::napping);
    AtomicReference<String> ranOn = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    maintenance.execute(() -> {
      ranOn.set(Thread.currentThread().getName());
      ran.countDown();
    });
    assertThat(ran.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(ranOn).hasValue("clock-under-test");
  }

  @Test
  void anEntryExpiresOnTimeThoughTheClockNappedThroughItsWholeTtl() throws InterruptedException {
    LocalStore<String> store = new LocalStore<>(CacheSpec.parse("localTtl=200ms"), clock,
        maintenance);
    assertThat(store.fill("k", (Reservation) store.reserve("k"), "v", 1)).isTrue();
    assertThat(store.get("k")).isEqualTo("v");
    await().atMost(BOUND).until(clock::napping);
    // Time passing unread is the point: no reader may wake the clock before the TTL is over.
    TimeUnit.MILLISECONDS.sleep(300);
    assertThat(clock.napping()).as("nothing read it meanwhile").isTrue();
    assertThat(store.get("k")).as("expired, though the last tick was before").isSameAs(
        LocalStore.MISS);
  }

  private static Thread threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
  }
}
