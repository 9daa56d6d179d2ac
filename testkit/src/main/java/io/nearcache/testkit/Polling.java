package io.nearcache.testkit;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Polling with a deadline, for the topologies of the kit. */
final class Polling {

  private static final Logger LOG = LoggerFactory.getLogger(Polling.class);
  private static final long POLL_MILLIS = 50;

  private Polling() {}

  /**
   * Asks {@code problem} every 50 ms until it returns null, meaning the awaited state is reached.
   *
   * @param what what is awaited, for the messages, e.g. {@code "the cluster to become healthy"}
   * @param timeoutMillis how long to wait
   * @param problem null once the state is reached, else what is still missing
   * @throws IllegalStateException on timeout, quoting the last problem, or if interrupted (the
   *     interrupt flag is then set again)
   */
  static void await(String what, long timeoutMillis, Supplier<String> problem) {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    String previous = null;
    while (true) {
      String last = problem.get();
      if (last == null) {
        return;
      }
      if (LOG.isDebugEnabled() && !last.equals(previous)) {
        LOG.debug("after {} ms waiting for {}: {}", millisSince(started), what, last);
      }
      previous = last;
      if (System.nanoTime() >= deadline) {
        throw new IllegalStateException("timed out after " + timeoutMillis
            + " ms waiting for " + what + "; last problem: " + last);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /** Milliseconds elapsed since {@code nanos}, a value of {@link System#nanoTime()}. */
  static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
