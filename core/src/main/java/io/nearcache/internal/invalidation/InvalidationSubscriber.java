package io.nearcache.internal.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Owns a client's one subscriber connection and thread. Delivers every message to a {@link
 * Listener}, and tells it when messages may have been lost (the connection dropped) and when a
 * message cannot be read. It resubscribes by itself with exponential backoff.
 *
 * <p>Liveness costs one round trip per interval on this connection alone: {@link #ping()} sends a
 * PING on it, and Redis answers after every message queued before it. {@link #silentNanos()} is
 * how long the connection has not answered; a watchdog that finds it too long breaks the
 * connection with {@link #reconnect} (a dead peer can leave a read blocked forever). No node ever
 * hears another node's liveness traffic, so a fleet's idle cost per node does not grow with it.
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
    /** A change announced on the channel, by any client, this one included. */
    void onMessage(InvalidationMessage message);

    /** Messages may have been lost since the last one applied. */
    void onMessagesMaybeLost(String reason);

    /**
     * A message could not be read: garbage, or a format version this node does not know (a node
     * of another release), whose change may be missing from the logs this node replays.
     */
    void onUnreadableMessage(String reason);
  }

  private final Supplier<Connection> connections;
  private final byte[][] channels;
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
   * @param connections where subscriber connections come from; each one is used until it breaks,
   *     then closed as broken
   * @param channels the channels to listen to
   * @param threadName the name of the subscriber thread
   */
  public InvalidationSubscriber(Supplier<Connection> connections, List<byte[]> channels,
      String threadName, Listener listener) {
    this.connections = connections;
    this.channels = channels.stream().map(byte[]::clone).toArray(byte[][]::new);
    this.listener = listener;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  /** Starts the thread and waits up to {@code timeout} for the first subscription. */
  public boolean start(Duration timeout) throws InterruptedException {
    thread.start();
    return firstSubscription.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether every channel is subscribed now. */
  public boolean isSubscribed() {
    Handler h = handler;
    return h != null && h.subscribed == channels.length;
  }

  /**
   * Asks Redis for a PONG on the subscriber connection, if subscribed; the answer resets {@link
   * #silentNanos()}. A failure to send is left to the subscriber thread, which sees the broken
   * connection itself.
   */
  public void ping() {
    Handler h = handler;
    if (h != null && h.subscribed == channels.length) {
      try {
        h.ping();
      } catch (JedisException | IllegalStateException e) {
        log.debug("invalidation subscriber {}: PING not sent", thread.getName(), e);
      }
    }
  }

  /**
   * How long the current subscription has not been heard from: since its last PONG, message or
   * subscription, whichever came last.
   */
  public long silentNanos() {
    Handler h = handler;
    return h == null ? 0 : System.nanoTime() - h.lastHeardNanos;
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
          speakResp2(connection);
          h.proceed(connection, channels);
        } finally {
          // Not subscribed from here on, whatever the handler saw last; and a pub/sub connection
          // is never reused for commands.
          h.subscribed = 0;
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

  /**
   * Switches the subscriber's own connection to RESP2, whatever its client negotiated: there
   * Redis answers a PING with a pub/sub reply ({@code pong}), which Jedis routes to {@code
   * onPong}. Under RESP3 the answer is a plain {@code PONG}, which Jedis 8 can read only if it
   * queued its handler first; it queues it after sending, and a reply that wins that race ends the
   * subscription with "Unexpected message".
   */
  private static void speakResp2(Connection connection) {
    connection.sendCommand(Protocol.Command.HELLO, "2");
    connection.getOne();
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

  /** One subscription's callbacks; a new one per connection. */
  private final class Handler extends BinaryJedisPubSub {
    private volatile int subscribed;
    private volatile boolean everSubscribed;
    private volatile long lastHeardNanos = System.nanoTime();

    @Override
    public void onSubscribe(byte[] subscribedChannel, int count) {
      lastHeardNanos = System.nanoTime();
      subscribed = count;
      if (count < channels.length) {
        return;
      }
      everSubscribed = true;
      if (closed) {
        unsubscribe();
        return;
      }
      firstSubscription.countDown();
    }

    @Override
    public void onPong(byte[] pattern) {
      lastHeardNanos = System.nanoTime();
    }

    @Override
    public void onMessage(byte[] fromChannel, byte[] bytes) {
      lastHeardNanos = System.nanoTime();
      InvalidationMessage message;
      try {
        message = InvalidationMessage.decode(bytes);
      } catch (IllegalArgumentException e) {
        log.warn("unreadable invalidation message of {} bytes: {}", bytes.length, e.getMessage());
        try {
          listener.onUnreadableMessage(e.getMessage());
        } catch (RuntimeException failed) {
          log.error("invalidation listener failed on an unreadable message", failed);
        }
        return;
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
