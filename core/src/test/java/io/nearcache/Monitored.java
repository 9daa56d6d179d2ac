package io.nearcache;

import static org.awaitility.Awaitility.await;

import io.nearcache.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What Redis' {@code MONITOR} saw while an action ran, between two {@code ECHO} markers: the
 * commands the clients sent (PINGs of the liveness probe left out) and those their scripts ran
 * (which Redis shows as coming from {@code lua}).
 *
 * @param fromClients the clients' commands, in order
 * @param fromScripts the commands run by scripts, in order
 */
record Monitored(List<String> fromClients, List<String> fromScripts) {
  private static final Duration BOUND = Duration.ofSeconds(5);

  /** Runs {@code action} while {@code redis} is monitored, and returns what was seen. */
  static Monitored during(RedisServer redis, Runnable action) throws InterruptedException {
    Queue<String> seen = new ConcurrentLinkedQueue<>();
    try (Jedis marker = redis.jedis()) {
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
          // the connection was closed below: monitoring is over
        }
      }, "monitor");
      monitoring.start();
      // Echoed until MONITOR shows one; each echo returns once Redis ran it, so every start
      // marker comes before the action's first command, even one seen only after the wait.
      await().atMost(BOUND).until(() -> {
        marker.echo("start");
        return seen.stream().anyMatch(c -> c.contains("\"start\""));
      });
      action.run();
      marker.echo("end");
      await().atMost(BOUND).until(() -> seen.stream().anyMatch(c -> c.contains("\"end\"")));
      monitor.close();
      monitoring.join(BOUND.toMillis());
    }
    List<String> lines = List.copyOf(seen);
    int lastStart = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"start\"")) {
        lastStart = i;
      }
    }
    List<String> all = lines.subList(lastStart + 1, lines.size()).stream()
        .takeWhile(c -> !c.contains("\"end\"")).toList();
    return new Monitored(
        all.stream().filter(c -> !c.contains(" lua]"))
            .filter(c -> !upper(c).contains("\"PING\"")).toList(),
        all.stream().filter(c -> c.contains(" lua]")).toList());
  }

  /** A command as MONITOR prints it, upper-cased, to match command names in any case. */
  static String upper(String command) {
    return command.toUpperCase(Locale.ROOT);
  }
}
