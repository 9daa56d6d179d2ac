package io.nearcache.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.management.OperatingSystemMXBean;
import io.nearcache.CacheSpec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.serializers.KryoSerializer;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What an idle client costs: the CPU a JVM holding one nearcache client with {@value #CACHES}
 * caches, each read once and then left alone, spends over {@value #MEASURE_SECONDS} s, beside a
 * bare JVM that only sleeps, in the same run. Each runs in a child JVM of its own (the same java,
 * class path and heap; the two side by side), settles for {@value #SETTLE_SECONDS} s, then reads
 * its own process CPU time before and after the window and prints the difference; the bare JVM's
 * figure is the floor any JVM pays (its GC and JIT threads, the JDK's own timers).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.IdleCpu <out.json>}. Redis: {@code
 * REDIS_URL}, else a testkit server.
 */
public final class IdleCpu {
  static final int CACHES = 10;
  private static final int SETTLE_SECONDS = 3;
  private static final int MEASURE_SECONDS = 20;
  private static final String CPU_LINE = "process CPU ns: ";

  private IdleCpu() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--child")) {
      child(args.length > 2 ? args[1] : null, args.length > 2 ? args[2] : null);
      return;
    }
    File out = new File(args[0]);
    Workload w = new Workload();
    w.workingSet = CACHES;
    w.setUp();
    try {
      // Side by side: both sleep, so neither takes the other's CPU, and the run is 23 s shorter.
      Process bareChild = start();
      Process clientChild = start(w.redisUri, w.prefix);
      long bare = cpuNanos(bareChild);
      long client = cpuNanos(clientChild);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("caches", CACHES);
      result.put("seconds", MEASURE_SECONDS);
      result.put("bareJvmCoreShare", share(bare));
      result.put("idleClientCoreShare", share(client));
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
      System.out.println(result);
    } finally {
      w.tearDown();
    }
  }

  /** The share of one core that {@code cpuNanos} over the window is. */
  private static double share(long cpuNanos) {
    return cpuNanos / (MEASURE_SECONDS * 1e9);
  }

  /**
   * Starts a child JVM, with a client of {@code redisUri} under {@code prefix} or bare without
   * arguments.
   */
  private static Process start(String... client) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-Xms256m", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        IdleCpu.class.getName(), "--child"));
    command.addAll(List.of(client));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Waits for a child JVM to end and returns its CPU figure. */
  private static long cpuNanos(Process child) throws IOException, InterruptedException {
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (child.waitFor() != 0) {
      throw new IllegalStateException("idle child failed:\n" + output);
    }
    return output.lines().filter(line -> line.startsWith(CPU_LINE))
        .mapToLong(line -> Long.parseLong(line.substring(CPU_LINE.length()))).findFirst()
        .orElseThrow(() -> new IllegalStateException("no CPU figure in:\n" + output));
  }

  /**
   * The child: a client of {@code redisUri} under {@code prefix} with its caches read once, or
   * nothing when {@code redisUri} is {@code null}, left idle and measured.
   */
  private static void child(String redisUri, String prefix) throws InterruptedException {
    NearCacheClient client = null;
    if (redisUri != null) {
      client = NearCacheClient.builder().redisUri(redisUri).keyPrefix(prefix).build();
      KryoSerializer<Product> kryo = new KryoSerializer<>(Product.class);
      for (int i = 0; i < CACHES; i++) {
        NearCache<String, Product> cache = client.cache("idle" + i,
            CacheSpec.parse("localMaxSize=1000,localTtl=30s,remoteTtl=5m"), kryo);
        cache.get("product:1", key -> Product.number(1, 0));
      }
    }
    OperatingSystemMXBean os =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    TimeUnit.SECONDS.sleep(SETTLE_SECONDS);
    long before = os.getProcessCpuTime();
    TimeUnit.SECONDS.sleep(MEASURE_SECONDS);
    long spent = os.getProcessCpuTime() - before;
    System.out.println(CPU_LINE + spent);
    if (client != null) {
      client.close();
    }
  }
}
