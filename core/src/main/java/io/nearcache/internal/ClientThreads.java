package io.nearcache.internal;

import io.nearcache.internal.l1.ClockThread;
import io.nearcache.internal.l1.CoarseClock;
import io.nearcache.internal.l1.TickMaintenance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's background threads. The maintenance thread ({@code
 * nearcache-maintenance-<prefix>}) runs the client's adaptive tick (PING, the watchdog and
 * repairs, write retries), which sleeps until its next work is due, and periodic tasks; a task
 * that throws is logged and runs again. The clock thread ({@code
 * nearcache-clock-<prefix>}, a {@link ClockThread}) wakes every millisecond while caches are used
 * to advance the {@link CoarseClock} L1 expiry reads and to run the L1 caches' Caffeine maintenance
 * that came due, and naps while they are not: a thread of its own, because the maintenance thread
 * waits on Redis, and a stalled clock would keep L1 entries alive past their {@code localTtl}.
 * Refreshes ahead of expiry run on a small pool ({@code nearcache-refresh-<prefix>}, up to
 * {@value #REFRESH_THREADS} threads, started on demand and gone after {@value
 * #REFRESH_IDLE_SECONDS} s idle, {@value #REFRESH_QUEUE} queued at most) unless the user gave an
 * executor.
 */
public final class ClientThreads {
  private static final Logger log = LoggerFactory.getLogger(ClientThreads.class);
  /** How often the clock L1 expiry reads advances: the precision of {@code localTtl}. */
  private static final Duration CLOCK_TICK = Duration.ofMillis(1);
  private static final long STOP_WAIT_SECONDS = 5;
  private static final int REFRESH_THREADS = 2;
  private static final int REFRESH_QUEUE = 1_000;
  private static final long REFRESH_IDLE_SECONDS = 10;
  /** How soon a maintenance tick that threw runs again. */
  private static final long FAILED_TICK_DELAY_NANOS = Duration.ofMillis(50).toNanos();

  private final String name;
  private final CoarseClock clock = new CoarseClock();
  private final TickMaintenance l1Maintenance = new TickMaintenance(clock);
  private final ScheduledExecutorService maintenance;
  private final ClockThread clockTicker;
  private final ThreadPoolExecutor refresher;
  /** The threads the executors made, those that ended dropped as new ones are made. */
  private final List<Thread> started = new CopyOnWriteArrayList<>();
  /** The adaptive tick, once {@link #tickAdaptively} set it; read by any thread's wake-up. */
  private volatile LongSupplier tick;
  /** The next run of {@link #tick}, guarded by this; {@code null} while none is scheduled. */
  private ScheduledFuture<?> nextTick;
  private long nextTickAt;

  /**
   * Starts the maintenance and clock threads, named after {@code prefix}, and makes the refresh
   * pool; {@code name} is the client's, for logs.
   */
  public ClientThreads(String prefix, String name) {
    this.name = name;
    this.refresher = new ThreadPoolExecutor(REFRESH_THREADS, REFRESH_THREADS,
        REFRESH_IDLE_SECONDS, TimeUnit.SECONDS, new ArrayBlockingQueue<>(REFRESH_QUEUE),
        daemon("nearcache-refresh-" + prefix));
    refresher.allowCoreThreadTimeOut(true);
    this.maintenance = daemonScheduler("nearcache-maintenance-" + prefix);
    this.clockTicker = new ClockThread("nearcache-clock-" + prefix, clock, l1Maintenance,
        CLOCK_TICK);
  }

  /** The clock L1 expiry reads. */
  public CoarseClock clock() {
    return clock;
  }

  /** Where L1's Caffeine maintenance is queued, to run on the clock thread. */
  public TickMaintenance l1Maintenance() {
    return l1Maintenance;
  }

  /**
   * The default refresh executor: bounded; a refresh it has no room for is refused with {@link
   * java.util.concurrent.RejectedExecutionException}, never run on the caller's thread.
   */
  public Executor refresher() {
    return refresher;
  }

  /** Runs {@code task} on the maintenance thread every {@code interval}, after a first wait. */
  public void every(Duration interval, Runnable task) {
    maintenance.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("client {}: maintenance task failed", name, e); // and runs again
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code tick} on the maintenance thread now, then again as many nanoseconds after each run
   * as that run returns, or sooner if {@link #wakeTick()} asks: maintenance that sleeps as long as
   * nothing is due, since on a VM every wake-up costs the idle process CPU. A run that throws is
   * logged and runs again soon.
   */
  public void tickAdaptively(LongSupplier tick) {
    this.tick = tick;
    scheduleTick(0);
  }

  /** Makes the adaptive tick run as soon as the maintenance thread is free: work came up. */
  public void wakeTick() {
    if (tick != null) {
      scheduleTick(0);
    }
  }

  private synchronized void scheduleTick(long delayNanos) {
    long at = System.nanoTime() + delayNanos;
    if (nextTick != null) {
      if (nextTickAt - at <= 0) {
        return; // a run at least as early is already scheduled
      }
      nextTick.cancel(false);
    }
    try {
      nextTick = maintenance.schedule(this::runTick, delayNanos, TimeUnit.NANOSECONDS);
      nextTickAt = at;
    } catch (RejectedExecutionException e) {
      nextTick = null; // closing: no more maintenance
    }
  }

  private void runTick() {
    synchronized (this) {
      nextTick = null; // from now on, a wake-up schedules another run
    }
    long delay;
    try {
      delay = tick.getAsLong();
    } catch (RuntimeException e) {
      log.error("client {}: maintenance failed", name, e);
      delay = FAILED_TICK_DELAY_NANOS;
    }
    scheduleTick(Math.max(0, delay));
  }

  /** Stops every thread, waiting up to 5 s for each kind. */
  public void close() {
    clockTicker.stop(Duration.ofSeconds(STOP_WAIT_SECONDS));
    stop(maintenance, "maintenance");
    stop(refresher, "refresh");
  }

  /**
   * Stops an executor and waits for its threads to end: an executor counts as terminated a moment
   * before its last thread has returned, and a caller of {@code close()} may count threads.
   */
  private void stop(ExecutorService executor, String what) {
    executor.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
    try {
      boolean stopped = executor.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      for (Thread thread : started) {
        if (thread.getName().startsWith("nearcache-" + what)) {
          thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
          stopped &= !thread.isAlive();
        }
      }
      if (!stopped) {
        log.warn("client {}: {} thread did not stop within {} s", name, what, STOP_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private ScheduledExecutorService daemonScheduler(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(daemon(threadName));
  }

  /** Makes daemon threads named {@code threadName}, remembered for {@link #stop}. */
  private ThreadFactory daemon(String threadName) {
    return task -> {
      Thread thread = new Thread(task, threadName);
      thread.setDaemon(true);
      started.removeIf(ended -> ended.getState() == Thread.State.TERMINATED);
      started.add(thread);
      return thread;
    };
  }
}
