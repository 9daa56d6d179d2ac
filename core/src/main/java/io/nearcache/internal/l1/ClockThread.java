package io.nearcache.internal.l1;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that ticks a {@link CoarseClock} and runs the L1 maintenance that came due ({@link
 * TickMaintenance}), every tick while caches are used. After {@value #TICKS_BEFORE_NAP} ticks it
 * naps until the clock is read again or maintenance is submitted, so that an idle client costs no
 * wake-ups at all; a cache in use wakes it again at once, at the price of one {@code
 * System.nanoTime()} and one unpark every {@value #TICKS_BEFORE_NAP} ticks.
 */
public final class ClockThread {
  private static final Logger log = LoggerFactory.getLogger(ClockThread.class);
  /** Ticks between naps: how long a burst of use keeps the thread ticking after it ends. */
  static final int TICKS_BEFORE_NAP = 10;

  private final CoarseClock clock;
  private final TickMaintenance maintenance;
  private final long tickNanos;
  private final Thread thread;
  private volatile boolean stopped;

  /**
   * Starts a daemon thread named {@code name} ticking {@code clock} every {@code tick} and running
   * {@code maintenance}, which must wake {@code clock} when a task is submitted.
   */
  public ClockThread(String name, CoarseClock clock, TickMaintenance maintenance, Duration tick) {
    this.clock = clock;
    this.maintenance = maintenance;
    this.tickNanos = tick.toNanos();
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    int ticks = 0;
    while (!stopped) {
      clock.tick();
      maintenance.runDue();
      if (++ticks < TICKS_BEFORE_NAP || maintenance.hasDue()) {
        LockSupport.parkNanos(this, tickNanos);
        continue;
      }
      ticks = 0;
      clock.nap(thread);
      // A task submitted before the nap was visible did not wake us: it is in the queue.
      while (clock.napping() && !maintenance.hasDue() && !stopped) {
        LockSupport.park(this);
      }
    }
  }

  /** Stops the thread and waits up to {@code timeout} for it to end; logs if it did not. */
  public void stop(Duration timeout) {
    stopped = true;
    LockSupport.unpark(thread);
    try {
      thread.join(TimeUnit.NANOSECONDS.toMillis(timeout.toNanos()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{} did not stop within {}", thread.getName(), timeout);
    }
  }
}
