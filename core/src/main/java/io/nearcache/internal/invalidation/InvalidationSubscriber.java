package io.nearcache.internal.invalidation;

import io.nearcache.internal.invalidation.InvalidationMessage.Kind;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Owns a client's one subscriber connection and thread. Delivers other senders' messages and its
 * own heartbeats to a {@link Listener}, and tells it when messages may have been lost: when the
 * connection drops, when a sender's sequence numbers skip, and when a message cannot be read. It
 * resubscribes by itself with exponential backoff, and {@link #reconnect} lets a watchdog break a
 * connection that went silent (a dead peer can leave a read blocked forever).
 *
 * <p>The callbacks run on the subscriber thread and must not block: a slow reader is what Redis'
 * pub/sub output-buffer limit disconnects.
 */
public final class InvalidationSubscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InvalidationSubscriber.class);
  private static final long MIN_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 2_000;
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  /** Receives what the subscriber hears; called on the subscriber thread, must not block. */
  public interface Listener {
    /** A change announced by another sender. */
    void onMessage(InvalidationMessage message);

    /** This client's own heartbeat came back, stamped {@code redisMillis} when it was sent. */
    void onOwnHeartbeat(long redisMillis);

    /** The channel is subscribed (again). */
    void onSubscribed();

    /** Messages may have been lost since the last one applied. */
    void onMessagesMaybeLost(String reason);
  }

  private final Supplier<Connection> connections;
  private final byte[] channel;
  private final String senderId;
  private final Listener listener;
  private final Thread thread;
  private final CountDownLatch firstSubscription = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Connection current;
  private volatile Handler handler;
  private volatile boolean closed;

  /**
   * Creates a subscriber; nothing connects until {@link #start}.
   *
   * @param connections where subscriber connections come from (a pool); each one is used until it
   *     breaks, then closed as broken
   * @param senderId the owning client's sender id, whose own changes are skipped
   * @param threadName the name of the subscriber thread
   */
  public InvalidationSubscriber(Supplier<Connection> connections, byte[] channel, String senderId,
      String threadName, Listener listener) {
    this.connections = connections;
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

  /** Whether the channel is subscribed now. */
  public boolean isSubscribed() {
    Handler h = handler;
    return h != null && h.subscribed;
  }

  /** Breaks the current connection, if any; the thread reconnects after its backoff. */
  public void reconnect() {
    Connection connection = current;
    if (connection != null) {
      connection.setBroken();
      connection.disconnect();
    }
  }

  private void run() {
    long backoff = MIN_BACKOFF_MILLIS;
    while (!closed) {
      Handler h = new Handler();
      handler = h;
      try (Connection connection = connections.get()) {
        current = connection;
        try {
          h.proceed(connection, channel);
        } finally {
          // Not subscribed from here on, whatever the handler saw last; and a pub/sub connection
          // is never reused for commands.
          h.subscribed = false;
          connection.setBroken();
          current = null;
        }
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
      backoff = h.everSubscribed ? MIN_BACKOFF_MILLIS : Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
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
    reconnect();
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
    private volatile boolean everSubscribed;

    @Override
    public void onSubscribe(byte[] subscribedChannel, int count) {
      subscribed = true;
      everSubscribed = true;
      if (closed) {
        unsubscribe();
        return;
      }
      try {
        listener.onSubscribed();
      } catch (RuntimeException e) {
        log.error("invalidation listener failed on subscription", e);
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
      try {
        if (message.senderId().equals(senderId)) {
          if (message.kind() == Kind.HEARTBEAT) {
            listener.onOwnHeartbeat(message.generation());
          }
          return;
        }
        Long last = lastSequence.put(message.senderId(), message.sequence());
        if (last != null && message.sequence() > last + 1) {
          log.warn("invalidation messages {}..{} of sender {} never arrived", last + 1,
              message.sequence() - 1, message.senderId());
          notifyLost("sequence gap");
        }
        if (message.kind() != Kind.HEARTBEAT) {
          listener.onMessage(message);
        }
      } catch (RuntimeException e) {
        log.error("invalidation listener failed on {}", message, e);
        notifyLost("listener failure");
      }
    }
  }
}
