package io.nearcache.internal.invalidation;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Owns a client's one subscriber connection and thread. Delivers other senders' messages to a
 * {@link Listener}, and tells it when messages may have been lost: after the connection drops, on
 * every subscription after the first, when a sender's sequence numbers skip, and when a message on
 * the channel cannot be read. It resubscribes by itself with exponential backoff.
 */
public final class InvalidationSubscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InvalidationSubscriber.class);
  private static final long MIN_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 2_000;
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  /** Receives what the subscriber hears; called on the subscriber thread, must not block. */
  public interface Listener {
    /** A message from another sender. */
    void onMessage(InvalidationMessage message);

    /** Messages may have been lost; every L1 entry may be stale. */
    void onMessagesMaybeLost(String reason);
  }

  private final UnifiedJedis jedis;
  private final byte[] channel;
  private final String senderId;
  private final Listener listener;
  private final Thread thread;
  private final CountDownLatch firstSubscription = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Handler current;
  private volatile boolean closed;

  /**
   * Creates a subscriber; nothing connects until {@link #start}.
   *
   * @param senderId the owning client's sender id, whose own messages are skipped
   * @param threadName the name of the subscriber thread
   */
  public InvalidationSubscriber(UnifiedJedis jedis, byte[] channel, String senderId,
      String threadName, Listener listener) {
    this.jedis = jedis;
    this.channel = channel.clone();
    this.senderId = senderId;
    this.listener = listener;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  /** Starts the thread and waits up to {@code timeout} for the first subscription. */
  public boolean start(Duration timeout) throws InterruptedException {
    thread.start();
    return firstSubscription.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    long backoff = MIN_BACKOFF_MILLIS;
    while (!closed) {
      Handler handler = new Handler();
      current = handler;
      try {
        jedis.subscribe(handler, channel);
      } catch (JedisException e) {
        if (!closed) {
          log.warn("invalidation subscriber {} lost Redis: {}; retrying in {} ms",
              thread.getName(), e.toString(), backoff);
        }
      }
      if (closed) {
        break;
      }
      notifyLost("subscriber connection dropped");
      backoff = handler.subscribed ? MIN_BACKOFF_MILLIS : Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      try {
        if (closing.await(backoff, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
  }

  private void notifyLost(String reason) {
    try {
      listener.onMessagesMaybeLost(reason);
    } catch (RuntimeException e) {
      log.error("invalidation listener failed on lost contact ({})", reason, e);
    }
  }

  /** Stops the thread and releases its connection; waits a bounded time for it to end. */
  @Override
  public void close() {
    closed = true;
    closing.countDown();
    Handler handler = current;
    if (handler != null && handler.isSubscribed()) {
      try {
        handler.unsubscribe();
      } catch (JedisException e) {
        log.debug("unsubscribe on close failed; the thread ends with its connection", e);
      }
    }
    try {
      thread.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("invalidation subscriber thread {} did not stop within {} ms", thread.getName(),
          CLOSE_WAIT_MILLIS);
    }
  }

  /** One subscription's callbacks; a new one per connection, so sequence tracking restarts. */
  private final class Handler extends BinaryJedisPubSub {
    private final Map<String, Long> lastSequence = new HashMap<>();
    private volatile boolean subscribed;

    @Override
    public void onSubscribe(byte[] subscribedChannel, int count) {
      subscribed = true;
      if (closed) {
        unsubscribe();
        return;
      }
      if (firstSubscription.getCount() == 0) {
        notifyLost("resubscribed after losing the connection");
      }
      firstSubscription.countDown();
    }

    @Override
    public void onMessage(byte[] fromChannel, byte[] bytes) {
      InvalidationMessage message;
      try {
        message = InvalidationMessage.decode(bytes);
      } catch (IllegalArgumentException e) {
        log.warn("unreadable invalidation message of {} bytes: {}", bytes.length, e.getMessage());
        notifyLost("unreadable message");
        return;
      }
      if (message.senderId().equals(senderId)) {
        return;
      }
      Long last = lastSequence.put(message.senderId(), message.sequence());
      if (last != null && message.sequence() > last + 1) {
        log.warn("invalidation messages {}..{} of sender {} never arrived", last + 1,
            message.sequence() - 1, message.senderId());
        notifyLost("sequence gap");
      }
      try {
        listener.onMessage(message);
      } catch (RuntimeException e) {
        log.error("invalidation listener failed on {}", message, e);
        notifyLost("listener failure");
      }
    }
  }
}
