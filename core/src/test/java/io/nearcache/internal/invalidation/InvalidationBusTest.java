package io.nearcache.internal.invalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.invalidation.InvalidationMessage.Kind;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.resilience.CircuitBreaker;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/** The publisher and subscriber against a real Redis, without caches around them. */
@ExtendWith(RedisServerExtension.class)
class InvalidationBusTest {
  private static final byte[] CHANNEL = KeyLayout.channel("bus");

  /** What a subscriber heard, in order; "lost: reason" for lost-contact callbacks. */
  private static final class Recorder implements InvalidationSubscriber.Listener {
    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(InvalidationMessage message) {
      events.add(message);
    }

    @Override
    public void onMessagesMaybeLost(String reason) {
      events.add("lost: " + reason);
    }

    @Override
    public void onOwnHeartbeat(long redisMillis) {
      events.add("own heartbeat: " + redisMillis);
    }

    @Override
    public void onSubscribed() {
      events.add("subscribed");
    }

    Object next() throws InterruptedException {
      Object event = events.poll(5, TimeUnit.SECONDS);
      assertThat(event).as("an event within 5 s").isNotNull();
      return event;
    }
  }

  /** Whether {@code thread} is blocked reading a socket: waiting for a Redis reply. */
  private static boolean readingSocket(Thread thread) {
    return Arrays.stream(thread.getStackTrace()).anyMatch(frame ->
        frame.getClassName().contains("Socket") && frame.getMethodName().contains("read"));
  }

  @Test
  @SuppressWarnings("try") // the subscriber works unreferenced until closed
  void writersArrivingDuringAPublishShareTheNextMessage(RedisServer redis) throws Exception {
    Recorder recorder = new Recorder();
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port());
         InvalidationSubscriber subscriber = subscribe(jedis, "reader", recorder)) {
      InvalidationPublisher publisher = new InvalidationPublisher(jedis,
          new CircuitBreaker("test", 5, Duration.ofSeconds(1), () -> { }), CHANNEL, "writer");
      publisher.publishKey("warmup", 0, "w"); // opens the pooled connection before the pause
      assertThat(((InvalidationMessage) recorder.next()).keys()).containsExactly("w");

      redis.pause();
      List<Thread> writers = new ArrayList<>();
      for (String key : List.of("a", "b", "c", "d")) {
        Thread writer = new Thread(() -> publisher.publishKey("product", 7, key));
        writers.add(writer);
        writer.start();
        if (key.equals("a")) {
          // "a" alone is in PUBLISH, reading the reply the paused server does not send...
          await().atMost(Duration.ofSeconds(5)).until(() -> readingSocket(writer));
        }
      }
      // ...and the others queue behind it.
      await().atMost(Duration.ofSeconds(5)).until(() ->
          writers.stream().filter(t -> t.getState() == Thread.State.WAITING).count() == 3);
      redis.resume();
      for (Thread writer : writers) {
        writer.join(5_000);
      }

      InvalidationMessage first = (InvalidationMessage) recorder.next();
      InvalidationMessage second = (InvalidationMessage) recorder.next();
      assertThat(first.keys()).containsExactly("a");
      assertThat(second.keys()).hasSize(3);
      List<String> all = new ArrayList<>(first.keys());
      all.addAll(second.keys());
      assertThat(all).containsExactlyInAnyOrder("a", "b", "c", "d");
      assertThat(List.of(first.sequence(), second.sequence())).containsExactly(2L, 3L);
      assertThat(second.generation()).isEqualTo(7);
      assertThat(recorder.events).isEmpty();
    }
  }

  @Test
  @SuppressWarnings("try") // the subscriber works unreferenced until closed
  void theSubscriberSkipsItsOwnMessagesAndReportsGapsAndGarbage(RedisServer redis)
      throws Exception {
    Recorder recorder = new Recorder();
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port());
         InvalidationSubscriber subscriber = subscribe(jedis, "me", recorder)) {
      jedis.publish(CHANNEL, message("me", 1, "mine").encode());
      jedis.publish(CHANNEL, message("other", 1, "k1").encode());
      jedis.publish(CHANNEL, message("other", 2, "k2").encode());
      jedis.publish(CHANNEL, message("other", 5, "k5").encode());
      jedis.publish(CHANNEL, new byte[] {9, 9, 9});
      jedis.publish(CHANNEL, message("other", 6, "k6").encode());

      assertThat(recorder.next()).isEqualTo(message("other", 1, "k1"));
      assertThat(recorder.next()).isEqualTo(message("other", 2, "k2"));
      assertThat(recorder.next()).isEqualTo("lost: sequence gap");
      assertThat(recorder.next()).isEqualTo(message("other", 5, "k5"));
      assertThat(recorder.next()).isEqualTo("lost: unreadable message");
      assertThat(recorder.next()).isEqualTo(message("other", 6, "k6"));
    }
  }

  @Test
  @SuppressWarnings("try") // the subscriber works unreferenced until closed
  void ownHeartbeatsComeBackAndOthersAreOnlyCounted(RedisServer redis) throws Exception {
    Recorder recorder = new Recorder();
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port());
         InvalidationSubscriber subscriber = subscribe(jedis, "me", recorder)) {
      jedis.publish(CHANNEL, heartbeat("other", 1, 10).encode());
      jedis.publish(CHANNEL, heartbeat("me", 1, 42).encode());
      jedis.publish(CHANNEL, heartbeat("other", 3, 11).encode());
      assertThat(recorder.next()).isEqualTo("own heartbeat: 42");
      assertThat(recorder.next()).as("a skipped heartbeat of another sender is a gap too")
          .isEqualTo("lost: sequence gap");
    }
  }

  @Test
  @SuppressWarnings("try") // the subscriber works unreferenced until closed
  void theSubscriberComesBackAfterItsConnectionIsKilled(RedisServer redis) throws Exception {
    Recorder recorder = new Recorder();
    try (RedisClient jedis = RedisClient.create(redis.host(), redis.port());
         InvalidationSubscriber subscriber = subscribe(jedis, "me", recorder)) {
      assertThat(redis.killPubSubClients()).isEqualTo(1);
      assertThat(recorder.next()).isEqualTo("lost: subscriber connection dropped");
      assertThat(recorder.next()).isEqualTo("subscribed");
      jedis.publish(CHANNEL, message("other", 1, "after").encode());
      assertThat(recorder.next()).isEqualTo(message("other", 1, "after"));

      subscriber.reconnect(); // what the watchdog does to a silent connection
      assertThat(recorder.next()).isEqualTo("lost: subscriber connection dropped");
      assertThat(recorder.next()).isEqualTo("subscribed");
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("test-subscriber"));
  }

  /** A subscriber as {@code senderId}, already subscribed. */
  private static InvalidationSubscriber subscribe(RedisClient jedis, String senderId,
      Recorder recorder) throws InterruptedException {
    InvalidationSubscriber subscriber = new InvalidationSubscriber(jedis.getPool()::getResource,
        CHANNEL, senderId, "test-subscriber", recorder);
    assertThat(subscriber.start(Duration.ofSeconds(5))).as("subscribed within 5 s").isTrue();
    assertThat(recorder.next()).isEqualTo("subscribed");
    return subscriber;
  }

  private static InvalidationMessage message(String sender, long sequence, String key) {
    return new InvalidationMessage(sender, sequence, "product", Kind.KEYS, 0, List.of(key));
  }

  private static InvalidationMessage heartbeat(String sender, long sequence, long redisMillis) {
    return new InvalidationMessage(sender, sequence, "", Kind.HEARTBEAT, redisMillis, List.of());
  }
}
