package io.nearcache.internal.l1;

import static org.assertj.core.api.Assertions.assertThat;

import io.nearcache.CacheSpec;
import io.nearcache.internal.l1.LocalStore.Reservation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** L1 maintenance waits for the clock thread's call, runs there, and survives a failing task. */
class TickMaintenanceTest {
  private final TickMaintenance maintenance = new TickMaintenance(new CoarseClock());
  private final List<String> ran = new ArrayList<>();

  @Test
  void tasksRunOnlyWhenDueAndOnTheCallingThread() {
    maintenance.execute(() -> ran.add("a:" + Thread.currentThread().getName()));
    maintenance.execute(() -> ran.add("b:" + Thread.currentThread().getName()));
    assertThat(ran).as("nothing runs on submission").isEmpty();

    maintenance.runDue();
    String here = Thread.currentThread().getName();
    assertThat(ran).containsExactly("a:" + here, "b:" + here);
    maintenance.runDue();
    assertThat(ran).as("each task runs once").hasSize(2);
  }

  @Test
  void aTaskSubmittedWhileRunningWaitsForTheNextCall() {
    maintenance.execute(() -> {
      ran.add("first");
      maintenance.execute(() -> ran.add("resubmitted"));
    });
    maintenance.runDue();
    assertThat(ran).containsExactly("first");
    maintenance.runDue();
    assertThat(ran).containsExactly("first", "resubmitted");
  }

  @Test
  void aFailingTaskIsDroppedAndTheOthersStillRun() {
    maintenance.execute(() -> {
      throw new IllegalStateException("maintenance failed on purpose");
    });
    maintenance.execute(() -> ran.add("after"));
    maintenance.runDue();
    assertThat(ran).containsExactly("after");
  }

  @Test
  void aStoreKeepsItsSizeBoundWithMaintenanceRunOnTicks() {
    LocalStore<String> store = new LocalStore<>(CacheSpec.parse("localMaxSize=10"),
        new CoarseClock(), maintenance);
    for (int i = 0; i < 50; i++) {
      String key = "k" + i;
      assertThat(store.fill(key, (Reservation) store.reserve(key), "v" + i, 1)).isTrue();
    }
    maintenance.runDue();
    assertThat(store.estimatedSize()).isEqualTo(10);
  }
}
