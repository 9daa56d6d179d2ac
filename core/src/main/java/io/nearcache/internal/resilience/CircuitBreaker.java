package io.nearcache.internal.resilience;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Stops a client calling Redis after repeated failures, so that an outage costs callers nothing
 * but their loader's time. Closed: every call goes through. After {@code failureThreshold}
 * consecutive failures it opens: calls fail at once with {@link OpenException} for {@code
 * coolDown}. Then one call at a time is let through as a probe (half-open); a success closes it, a
 * failure opens it for another cool-down.
 *
 * <p>A failure is any {@link JedisException} but a {@link JedisDataException}: an error reply
 * proves the server up. The closed path costs one volatile read and, on success, one more.
 */
public final class CircuitBreaker {
  private static final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);
  private static final long CLOSED = 0;

  /** Thrown instead of calling Redis while the breaker is open. */
  public static final class OpenException extends JedisException {
    private static final long serialVersionUID = 1L;

    OpenException() {
      super("circuit breaker open: Redis is not called during the cool-down");
    }

    /** Thrown on every call during an outage: the stack trace would say nothing and cost much. */
    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private final String name;
  private final int failureThreshold;
  private final long coolDownNanos;
  private final Runnable onOpen;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile long openUntil = CLOSED;

  /**
   * Creates a closed breaker.
   *
   * @param name for logs
   * @param onOpen called (on the failing caller's thread) each time the breaker opens from closed
   */
  public CircuitBreaker(String name, int failureThreshold, Duration coolDown, Runnable onOpen) {
    this.name = name;
    this.failureThreshold = failureThreshold;
    this.coolDownNanos = coolDown.toNanos();
    this.onOpen = onOpen;
  }

  /**
   * Runs a Redis call through the breaker.
   *
   * @throws OpenException without calling Redis while open (and while another probe runs)
   * @throws JedisException what the call threw, after counting it
   */
  public <T> T call(Supplier<T> redisCall) {
    long until = openUntil;
    boolean probe = false;
    if (until != CLOSED) {
      if (System.nanoTime() - until < 0 || !probing.compareAndSet(false, true)) {
        throw new OpenException();
      }
      probe = true;
    }
    try {
      T result = redisCall.get();
      if (probe || consecutiveFailures.get() != 0) {
        closeAfterSuccess();
      }
      return result;
    } catch (JedisDataException e) {
      if (probe) {
        closeAfterSuccess();
      }
      throw e;
    } catch (JedisException e) {
      failed(probe);
      throw e;
    } finally {
      if (probe) {
        probing.set(false);
      }
    }
  }

  /** Whether the breaker is open or half-open: Redis failed and has not answered a probe since. */
  public boolean isOpen() {
    return openUntil != CLOSED;
  }

  private void closeAfterSuccess() {
    consecutiveFailures.set(0);
    if (openUntil != CLOSED) {
      openUntil = CLOSED;
      log.info("circuit breaker {} closed: Redis answers again", name);
    }
  }

  private void failed(boolean probe) {
    if (probe) {
      openUntil = System.nanoTime() + coolDownNanos;
      return;
    }
    if (consecutiveFailures.incrementAndGet() >= failureThreshold && openUntil == CLOSED) {
      openUntil = System.nanoTime() + coolDownNanos;
      log.warn("circuit breaker {} opened after {} consecutive Redis failures; serving without"
          + " Redis for {} ms at a time", name, failureThreshold, coolDownNanos / 1_000_000);
      onOpen.run();
    }
  }
}
