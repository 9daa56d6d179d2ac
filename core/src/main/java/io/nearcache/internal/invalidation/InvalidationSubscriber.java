package io.nearcache.internal.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.nearcache.internal.redis.PubSub;
import java.nio.charset.StandardCharsets;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Owns one subscriber connection and its thread: a client has one per server that owns slot
 * groups. Delivers every message to a {@link
 * Listener}, and tells it when messages may have been lost (the connection dropped) and when a
 * message cannot be read. A subscription the server ends (a
 * failover or slot migration unsubscribes a sharded channel; Jedis' loop then simply returns)
 * counts as a dropped connection. It resubscribes by itself with exponential backoff.
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

    /**
     * A liveness probe was answered {@code roundTripNanos} after it was sent: its answer queued
     * behind every message Redis had for this connection then. Ignored unless overridden.
     */
    default void onProbeAnswered(long roundTripNanos) {}
  }

  private final Supplier<Connection> connections;
  private final PubSub pubSub;
  private final byte[][] channels;
  private final Listener listener;
  private final Thread thread;
  private final CountDownLatch firstSubscription = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Connection current;
  private volatile Session session;
  private volatile boolean closed;

  /**
   * Creates a subscriber; nothing connects until {@link #start}.
   *
   * @param connections where subscriber connections come from; each one is used until it breaks,
   *     then closed as broken
   * @param pubSub classic or sharded: how to subscribe
   * @param channels the channels to listen to, at least one
   * @param threadName the name of the subscriber thread
   */
  public InvalidationSubscriber(Supplier<Connection> connections, PubSub pubSub,
      List<byte[]> channels, String threadName, Listener listener) {
    this.connections = connections;
    this.pubSub = pubSub;
    this.channels = channels.stream().map(byte[]::clone).toArray(byte[][]::new);
    this.listener = listener;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  /** Starts the thread, which connects and subscribes. */
  public void start() {
    thread.start();
  }

  /** Waits up to {@code timeout} for the first subscription; whether it was made. */
  public boolean awaitSubscribed(Duration timeout) throws InterruptedException {
    return firstSubscription.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether every channel is subscribed now. */
  public boolean isSubscribed() {
    Session s = session;
    return s != null && s.subscribed == channels.length;
  }

  /**
   * Asks Redis for a PONG on the subscriber connection, if subscribed; the answer resets {@link
   * #silentNanos()}. A failure to send is left to the subscriber thread, which sees the broken
   * connection itself.
   */
  public void ping() {
    Session s = session;
    if (s != null && s.subscribed == channels.length) {
      try {
        s.probe();
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
    Session s = session;
    return s == null ? 0 : System.nanoTime() - s.lastHeardNanos;
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
      Session session = pubSub == PubSub.SHARDED ? new Sharded() : new Classic();
      this.session = session;
      String lost = "subscriber connection dropped";
      try (Connection connection = connections.get()) {
        current = connection;
        try {
          speakResp2(connection);
          session.proceed(connection);
          if (session.endedBy != null) {
            lost = session.endedBy;
          }
        } finally {
          // Not subscribed from here on, whatever the session saw last; and a pub/sub connection
          // is never reused for commands.
          session.subscribed = 0;
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
      notifyLost(lost);
      backoff = session.everSubscribed ? MIN_BACKOFF_MILLIS
          : Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
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

  /**
   * One connection's subscription: the state both kinds of pub/sub share, and the callbacks they
   * make. A new one per connection.
   */
  private abstract class Session {
    volatile int subscribed;
    volatile boolean everSubscribed;
    volatile long lastHeardNanos = System.nanoTime();
    /** When the unanswered probe was sent; 0 while none is. */
    volatile long probeSentNanos;
    /** Why the server ended the subscription, if it did. */
    volatile String endedBy;

    /** Subscribes on {@code connection} and delivers until the subscription ends. */
    abstract void proceed(Connection connection);

    /** Asks for an answer on the connection, from another thread. */
    abstract void ping();

    final void heard() {
      lastHeardNanos = System.nanoTime();
    }

    /** Sends a probe, timed unless one is still unanswered (then the older one stays timed). */
    final void probe() {
      if (probeSentNanos == 0) {
        probeSentNanos = System.nanoTime();
      }
      ping();
    }

    /** The probe's answer came: heard, and its round trip told. */
    final void probeAnswered() {
      heard();
      long sent = probeSentNanos;
      if (sent == 0) {
        return;
      }
      probeSentNanos = 0;
      try {
        listener.onProbeAnswered(System.nanoTime() - sent);
      } catch (RuntimeException e) {
        log.warn("invalidation subscriber {}: a probe listener failed", thread.getName(), e);
      }
    }

    final void subscribedTo(int count) {
      heard();
      subscribed = count;
      if (count < channels.length) {
        return;
      }
      everSubscribed = true;
      if (closed) {
        end();
        return;
      }
      firstSubscription.countDown();
    }

    /** The server ended the subscription of {@code channel}: its slot moved, or a failover. */
    final void endedByServer(byte[] channel, int count) {
      if (closed || endedBy != null) {
        return; // closing, or the rest of the channels, unsubscribed here
      }
      endedBy = "Redis ended the subscription of "
          + new String(channel, StandardCharsets.UTF_8) + " (a failover or a slot migration)";
      if (count > 0) {
        end();
      }
    }

    /** Unsubscribes from every channel, which ends {@link #proceed}. */
    abstract void end();

    final void message(byte[] bytes) {
      heard();
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

  /** Classic pub/sub: every channel in one {@code SUBSCRIBE}; PING answered with a pong. */
  private final class Classic extends Session {
    private final BinaryJedisPubSub pubSub = new BinaryJedisPubSub() {
      @Override
      public void onSubscribe(byte[] channel, int count) {
        subscribedTo(count);
      }

      @Override
      public void onUnsubscribe(byte[] channel, int count) {
        endedByServer(channel, count);
      }

      @Override
      public void onPong(byte[] pattern) {
        probeAnswered();
      }

      @Override
      public void onMessage(byte[] channel, byte[] bytes) {
        message(bytes);
      }
    };

    @Override
    void proceed(Connection connection) {
      pubSub.proceed(connection, channels);
    }

    @Override
    void ping() {
      pubSub.ping();
    }

    @Override
    void end() {
      pubSub.unsubscribe();
    }
  }

  /**
   * Sharded pub/sub: one {@code SSUBSCRIBE} per channel, since the channels of one primary lie in
   * different slots and one command may name channels of one slot only. Jedis' sharded
   * subscriber has no PING; subscribing again to a channel already subscribed is answered with
   * its confirmation, which serves as one (and is refused with {@code MOVED} once the slot moved).
   */
  private final class Sharded extends Session {
    private final BinaryJedisShardedPubSub pubSub = new BinaryJedisShardedPubSub() {
      @Override
      public void onSSubscribe(byte[] channel, int count) {
        if (subscribed == channels.length) {
          probeAnswered(); // the confirmation of a channel subscribed already: a probe's answer
          return;
        }
        if (count == 1 && subscribed == 0) {
          for (int i = 1; i < channels.length; i++) {
            ssubscribe(channels[i]);
          }
        }
        subscribedTo(count);
      }

      @Override
      public void onSUnsubscribe(byte[] channel, int count) {
        endedByServer(channel, count);
      }

      @Override
      public void onSMessage(byte[] channel, byte[] bytes) {
        message(bytes);
      }
    };

    @Override
    void proceed(Connection connection) {
      pubSub.proceed(connection, channels[0]);
    }

    @Override
    void ping() {
      pubSub.ssubscribe(channels[0]);
    }

    @Override
    void end() {
      pubSub.sunsubscribe();
    }
  }
}
