package io.nearcache.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nearcache.CacheStats;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.internal.DefaultNearCache;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Invalidation fan-out, timed: one writer client and {@code S} subscriber clients (S = 20, then
 * 100), every one a {@link NearCacheClient} of its own (own pool, own subscriber connection and
 * threads) in this one JVM, on one Redis, each with the same cache. Before a measured round, every
 * subscriber holds all {@code writes} keys of the working set in L1 (one {@code getAll} each, then
 * checked with {@code peekLocal}); then the writer puts a new version of each key, one {@code put}
 * after another on one thread, as fast as {@code put} returns, and each subscriber must drop every
 * one of them from L1.
 *
 * <p>What is timed. For each write and each subscriber: from {@code System.nanoTime()} just before
 * the writer's {@code put} until a poller sees that subscriber's L1 no longer hold the instance it
 * held before the round ({@link DefaultNearCache#peekLocal} returns {@code null}, or another
 * value). That includes the writer's {@code put} (its L2 write and its publish), Redis' delivery to
 * S + 1 subscriber connections, each subscriber thread's wake-up, decode and L1 drop, and the
 * poller's own delay in seeing it: up to one scan of all subscribers plus one park of {@value
 * #POLL_NANOS} ns (tens of microseconds more with the kernel's timer slack). Because the writes
 * come back to back, a write also waits behind the earlier writes still queued for a subscriber:
 * these are latencies under a sustained stream of writes at the writer's full speed, not the
 * one-write-at-a-time latency {@link Propagation} measures. Deliveries per second are writes x S
 * divided by the time from just before the first write until the last drop the poller saw; lost
 * deliveries are left out of the count and reported beside it (they must be 0). While the
 * subscribers keep up, that is the writer's rate times S, so the writer's rate (writes over the
 * time from the first write's start to the last's) is reported too: a figure near it shows the
 * writer, not the subscribers, was the limit.
 *
 * <p>The poller is one thread that scans every subscriber in turn and parks between scans, as
 * {@link Propagation}'s does (a spinning poller on two cores competes with the threads it waits
 * for). It looks only at the oldest write each subscriber has not dropped yet, and on from there
 * while writes are dropped: a subscriber applies one publisher's messages in order, so this costs
 * one map lookup per subscriber per scan however far behind it is. A drop seen out of that order
 * would be timed when the older one is seen, later than it happened, never earlier. A (write,
 * subscriber) pair still not dropped {@value #GIVE_UP_NANOS} ns after its write counts as lost,
 * so every wait is bounded.
 *
 * <p>What the figure carries that a fleet would not: all S + 1 clients share this JVM's two cores,
 * so every client's subscriber, maintenance and clock threads (the clock wakes every millisecond)
 * compete with the very deliveries being timed. L1 flushes and replays from the invalidation log
 * during the round are counted too (a flush drops every key at once, and would make drops look
 * fast); they should be 0. Each size runs on a Redis of its own, after a warm-up round of the same
 * writes.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.FanOut <out.json> [writes]
 * [sizes, comma-separated]}, default 5,000 writes and sizes 20,100. Redis: {@code REDIS_URL},
 * else a testkit server per size.
 */
public final class FanOut {
  private static final long GIVE_UP_NANOS = 5_000_000_000L;
  private static final long POLL_NANOS = 20_000;
  private static final long SETTLE_MILLIS = 200;

  private FanOut() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    File out = new File(args[0]);
    int writes = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    int[] sizes = args.length > 2
        ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {20, 100};
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("writes", writes);
    result.put("pollers", 1);
    List<Map<String, Object>> rows = new ArrayList<>();
    result.put("fanOut", rows);
    for (int subscribers : sizes) {
      Map<String, Object> row = run(subscribers, writes);
      System.out.println(row);
      rows.add(row);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
    System.out.println(result);
  }

  private static Map<String, Object> run(int size, int writes) throws InterruptedException {
    Workload w = new Workload();
    w.workingSet = writes;
    w.setUp();
    List<NearCacheClient> clients = new ArrayList<>();
    try {
      NearCacheClient writerClient = Peers.nearcache(w);
      clients.add(writerClient);
      NearCache<String, Product> writer = cache(writerClient, w);
      List<DefaultNearCache<String, Product>> subscribers = new ArrayList<>();
      for (int s = 0; s < size; s++) {
        NearCacheClient client = Peers.nearcache(w);
        clients.add(client);
        subscribers.add((DefaultNearCache<String, Product>) cache(client, w));
      }
      Product[] current = new Product[writes];
      for (int i = 0; i < writes; i++) {
        current[i] = w.product(i);
        writer.put(w.keys[i], current[i]);
      }
      round(writer, subscribers, w, current); // warm-up
      return round(writer, subscribers, w, current);
    } finally {
      clients.parallelStream().forEach(NearCacheClient::close);
      w.tearDown();
    }
  }

  private static NearCache<String, Product> cache(NearCacheClient client, Workload w) {
    // Room for twice the working set: no eviction may pass for a drop.
    return Peers.products(client, w, "fanout", "localMaxSize=" + 2 * w.workingSet);
  }

  /** Fills every subscriber's L1, writes a new version of every key, times the drops. */
  private static Map<String, Object> round(NearCache<String, Product> writer,
      List<DefaultNearCache<String, Product>> subscribers, Workload w, Product[] current)
      throws InterruptedException {
    int writes = current.length;
    int size = subscribers.size();
    Product[][] held = fill(subscribers, w, current);
    Product[] next = new Product[writes];
    for (int i = 0; i < writes; i++) {
      next[i] = withPrice(current[i], current[i].price().add(BigDecimal.ONE));
    }
    CacheStats before = total(subscribers);
    Poller poller = new Poller(subscribers, held, w.keys);
    poller.start();
    for (int i = 0; i < writes; i++) {
      poller.starts[i] = System.nanoTime();
      poller.issued = i + 1; // volatile: publishes starts[i] to the poller
      writer.put(w.keys[i], next[i]);
    }
    poller.join(GIVE_UP_NANOS / 1_000_000 + 10_000);
    if (poller.isAlive()) {
      throw new IllegalStateException("the poller did not finish");
    }
    CacheStats during = total(subscribers).minus(before);
    System.arraycopy(next, 0, current, 0, writes);

    long[] sorted = Arrays.stream(poller.nanos).flatMapToLong(Arrays::stream)
        .filter(n -> n >= 0).sorted().toArray();
    long delivered = sorted.length;
    double seconds = (poller.lastDrop - poller.starts[0]) / 1e9;
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("subscribers", size);
    row.put("writes", writes);
    row.put("delivered", delivered);
    row.put("lost", (long) writes * size - delivered);
    row.put("seconds", seconds);
    row.put("deliveriesPerSecond", delivered / seconds);
    row.put("writesPerSecond", writes / ((poller.starts[writes - 1] - poller.starts[0]) / 1e9));
    row.put("p50Ms", at(sorted, 0.50));
    row.put("p99Ms", at(sorted, 0.99));
    row.put("maxMs", sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6);
    row.put("flushes", during.flushes());
    row.put("replayedInvalidations", during.replayedInvalidations());
    return row;
  }

  /**
   * Puts every key in every subscriber's L1 and returns what each holds. A fill can race the
   * invalidation of a write it read (the key then drops again), so fills repeat until every key is
   * held after a pause. A key missing from L2 (its put did not reach Redis: the client logged it)
   * is loaded as {@code current} holds it, and counted on the standard output.
   */
  private static Product[][] fill(List<DefaultNearCache<String, Product>> subscribers,
      Workload w, Product[] current) throws InterruptedException {
    List<String> keys = Arrays.asList(w.keys);
    Map<String, Product> byKey = new HashMap<>();
    for (int i = 0; i < current.length; i++) {
      byKey.put(w.keys[i], current[i]);
    }
    LongAdder loaded = new LongAdder();
    Product[][] held = new Product[subscribers.size()][w.keys.length];
    for (int attempt = 0; ; attempt++) {
      if (attempt == 20) {
        throw new IllegalStateException("subscribers' L1 would not keep the working set");
      }
      subscribers.parallelStream().forEach(c -> c.getAll(keys, missing -> {
        loaded.add(missing.size());
        Map<String, Product> found = new HashMap<>();
        missing.forEach(key -> found.put(key, byKey.get(key)));
        return found;
      }));
      if (loaded.sum() > 0) {
        System.out.println("fill: " + loaded.sumThenReset() + " keys missed L2 and were loaded");
      }
      Thread.sleep(SETTLE_MILLIS);
      boolean complete = true;
      for (int s = 0; s < subscribers.size(); s++) {
        for (int i = 0; i < w.keys.length; i++) {
          held[s][i] = subscribers.get(s).peekLocal(w.keys[i]);
          complete &= held[s][i] != null;
        }
      }
      if (complete) {
        return held;
      }
    }
  }

  /** The poller: one thread watching every subscriber's L1. */
  private static final class Poller extends Thread {
    final long[] starts;
    final long[][] nanos;
    volatile int issued;
    long lastDrop;
    private final List<DefaultNearCache<String, Product>> subscribers;
    private final Product[][] held;
    private final String[] keys;

    Poller(List<DefaultNearCache<String, Product>> subscribers, Product[][] held,
        String[] keys) {
      super("fanout-poller");
      setDaemon(true);
      this.subscribers = subscribers;
      this.held = held;
      this.keys = keys;
      this.starts = new long[keys.length];
      this.nanos = new long[subscribers.size()][keys.length];
    }

    @Override
    public void run() {
      int writes = keys.length;
      int[] cursor = new int[subscribers.size()];
      int finished = 0;
      while (finished < subscribers.size()) {
        int upTo = issued;
        for (int s = 0; s < cursor.length; s++) {
          if (cursor[s] == writes) {
            continue;
          }
          DefaultNearCache<String, Product> subscriber = subscribers.get(s);
          while (cursor[s] < upTo) {
            int i = cursor[s];
            Product seen = subscriber.peekLocal(keys[i]);
            long now = System.nanoTime();
            if (seen != held[s][i]) {
              nanos[s][i] = now - starts[i];
              lastDrop = Math.max(lastDrop, now);
            } else if (now - starts[i] > GIVE_UP_NANOS) {
              nanos[s][i] = -1; // lost
            } else {
              break;
            }
            cursor[s]++;
          }
          if (cursor[s] == writes) {
            finished++;
          }
        }
        LockSupport.parkNanos(POLL_NANOS);
      }
    }
  }

  private static CacheStats total(List<DefaultNearCache<String, Product>> subscribers) {
    return subscribers.stream().map(NearCache::stats).reduce(CacheStats.empty(),
        CacheStats::plus);
  }

  private static Product withPrice(Product p, BigDecimal price) {
    return new Product(p.id(), p.sku(), p.title(), p.description(), price, p.currency(),
        p.tags(), p.categoryId(), p.createdAt(), p.updatedAt());
  }

  private static double at(long[] sorted, double quantile) {
    return sorted.length == 0 ? Double.NaN
        : sorted[(int) Math.ceil(quantile * sorted.length) - 1] / 1e6;
  }
}
