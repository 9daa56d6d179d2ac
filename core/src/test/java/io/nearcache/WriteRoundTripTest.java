package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A write is one command sent to Redis, and that command announces it: what {@code MONITOR} sees
 * from the clients between two markers is one {@code EVALSHA} per write, whose script ran the
 * {@code PUBLISH} itself (Redis shows a script's own commands as coming from {@code lua}).
 */
@ExtendWith(RedisServerExtension.class)
class WriteRoundTripTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");

  @Test
  void putInvalidateAndInvalidateAllAreOneScriptEachThatPublishes(RedisServer redis)
      throws Exception {
    try (Fleet fleet = new Fleet(redis, 2); Jedis marker = redis.jedis()) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      DefaultNearCache<String, String> writer = caches.get(0);
      DefaultNearCache<String, String> peer = caches.get(1);
      // Redis caches the scripts and the writer its generation: later writes send only EVALSHA.
      writer.put("warm", "v");
      writer.invalidate("warm");
      writer.invalidateAll();
      peer.get("a", k -> "v1");

      Queue<String> seen = new ConcurrentLinkedQueue<>();
      Jedis monitor = redis.jedis();
      Thread monitoring = new Thread(() -> {
        try {
          monitor.monitor(new JedisMonitor() {
            @Override
            public void onCommand(String command) {
              seen.add(command);
            }
          });
        } catch (JedisException closed) {
          // the test closed the connection: monitoring is over
        }
      }, "monitor");
      monitoring.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        marker.echo("start");
        return seen.stream().anyMatch(c -> c.contains("\"start\""));
      });
      seen.clear();

      writer.put("a", "v2");
      writer.invalidate("b");
      writer.invalidateAll();
      marker.echo("end");
      await().atMost(Duration.ofSeconds(5))
          .until(() -> seen.stream().anyMatch(c -> c.contains("\"end\"")));
      monitor.close();
      monitoring.join(5_000);

      List<String> fromClients = seen.stream()
          .takeWhile(c -> !c.contains("\"end\""))
          .filter(c -> !c.contains(" lua]"))
          .filter(c -> !upper(c).contains("\"PING\""))
          .toList();
      List<String> fromScripts = seen.stream().filter(c -> c.contains(" lua]")).toList();
      System.out.printf("3 writes: %d commands from clients, %d run by their scripts%n",
          fromClients.size(), fromScripts.size());
      assertThat(fromClients).as("one command per write").hasSize(3)
          .allMatch(c -> upper(c).contains("\"EVALSHA\""));
      assertThat(fromScripts.stream().filter(c -> upper(c).contains("\"PUBLISH\"")))
          .as("each script published its own message").hasSize(3);
      await().atMost(Duration.ofSeconds(2)).until(() -> peer.peekLocal("a") == null);
    }
  }

  private static String upper(String command) {
    return command.toUpperCase(Locale.ROOT);
  }
}
