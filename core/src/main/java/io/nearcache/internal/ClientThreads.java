package io.nearcache.internal;

import io.nearcache.internal.l1.ClockThread;
import io.nearcache.internal.l1.CoarseClock;
import io.nearcache.internal.l1.TickMaintenance;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's background threads. The maintenance thread ({@code
 * nearcache-maintenance-<prefix>}) runs periodic tasks: PING, the watchdog and repairs, write
 * retries; a task that throws is logged and runs again. The clock thread ({@code
 * nearcache-clock-<prefix>}, a {@link ClockThread}) wakes every millisecond while caches are used
 * to advance the {@link CoarseClock} L1 expiry reads and to run the L1 caches' Caffeine maintenance
 * that came due, and naps while they are not: a thread of its own, because the maintenance thread
 * waits on Redis, and a stalled clock would keep L1 entries alive past their {@code localTtl}. Refreshes ahead of expiry run on a small pool ({@code
 * nearcache-refresh-<prefix>}, up to {@value #REFRESH_THREADS} threads, started on demand and gone
 * after {@value #REFRESH_IDLE_SECONDS} s idle, {@value #REFRESH_QUEUE} queued at most) unless the
 * user gave an executor.
 */
public final class ClientThreads {
  private static final Logger log = LoggerFactory.getLogger(ClientThreads.class);
  /** How often the clock L1 expiry reads advances: the precision of {@code localTtl}. */
  private static final Duration CLOCK_TICK = Duration.ofMillis(1);
  private static final long STOP_WAIT_SECONDS = 5;
  private static final int REFRESH_THREADS = 2;
  private static final int REFRESH_QUEUE = 1_000;
  private static final long REFRESH_IDLE_SECONDS = 10;

  private final String name;
  private final CoarseClock clock = new CoarseClock();
  private final TickMaintenance l1Maintenance = new TickMaintenance(clock);
  private final ScheduledExecutorService maintenance;
  private final ClockThread clockTicker;
  private final ThreadPoolExecutor refresher;

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

  /** Stops every thread, waiting up to 5 s for each kind. */
  public void close() {
    clockTicker.stop(Duration.ofSeconds(STOP_WAIT_SECONDS));
    stop(maintenance, "maintenance");
    stop(refresher, "refresh");
  }

  private void stop(ExecutorService thread, String what) {
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("client {}: {} thread did not stop within {} s", name, what, STOP_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ScheduledExecutorService daemonScheduler(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(daemon(threadName));
  }

  private static ThreadFactory daemon(String threadName) {
    return task -> {
      Thread thread = new Thread(task, threadName);
      thread.setDaemon(true);
      return thread;
    };
  }
}
