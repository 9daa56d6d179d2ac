package io.nearcache.internal.l1;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor of L1's Caffeine maintenance (draining its read and write buffers, evicting,
 * expiring): tasks wait until the owner calls {@link #runDue()}, which the client's {@link
 * ClockThread} does after every tick, so once a millisecond at most; a task submitted while that
 * thread naps wakes it.
 *
 * <p>Why not Caffeine's default, the common pool: every time a reader fills Caffeine's read buffer
 * it hands the drain to the executor, and waking a parked common-pool worker is a system call on
 * the reader's thread. At L1 hit rates that was 50,000 to 200,000 context switches a second on a
 * 2-core VM, and whole benchmark forks ran at half speed. Here a reader only enqueues the task
 * (once until it has run: Caffeine never resubmits a pending drain), and while it waits, reads find
 * the buffer full and skip recording, which Caffeine's read buffer is made for: it is lossy by
 * design, and the eviction policy works from the reads it did record. Writes that fill Caffeine's write
 * buffer in the meantime do the maintenance themselves, so the size bound still holds.
 *
 * <p>A task that throws is logged and dropped; the next submission runs again.
 */
public final class TickMaintenance implements Executor {
  private static final Logger log = LoggerFactory.getLogger(TickMaintenance.class);

  private final ConcurrentLinkedQueue<Runnable> due = new ConcurrentLinkedQueue<>();
  private final CoarseClock clock;

  /** Maintenance run by the thread that ticks {@code clock}, which a submission wakes. */
  public TickMaintenance(CoarseClock clock) {
    this.clock = clock;
  }

  /**
   * Queues {@code task} for the next {@link #runDue()} and wakes the clock's thread if it naps;
   * never runs it on the calling thread.
   */
  @Override
  public void execute(Runnable task) {
    due.add(Objects.requireNonNull(task, "task"));
    clock.wakeUp(); // after the add: a thread going to nap checks the queue after its nap began
  }

  /** Whether a task waits for {@link #runDue()}. */
  boolean hasDue() {
    return !due.isEmpty();
  }

  /**
   * Runs the tasks queued before this call, on the calling thread. Tasks queued while it runs wait
   * for the next call, so a cache whose readers refill the buffer at once cannot keep it busy.
   */
  public void runDue() {
    for (int n = due.size(); n > 0; n--) {
      Runnable task = due.poll();
      if (task == null) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("L1 maintenance task failed; it runs again on its next submission", e);
      }
    }
  }
}
