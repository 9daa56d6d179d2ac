package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A writer that dies by kill -9 in the middle of its writes leaves no other node stale.
 *
 * <p>A {@link CrashingWriter} in a child JVM puts values under {@value #KEYS} keys as fast as it
 * can, and is killed with SIGKILL ({@link Process#destroyForcibly()}) at a random moment, 0 to
 * 200 ms after its first {@value CrashingWriter#WRITES_BEFORE_PROGRESS} puts returned; then a new
 * writer takes its place, {@value #KILLS} times in all. Meanwhile a reader node in this JVM (its
 * own {@link NearCacheClient}) keeps every key in its L1, re-reading them all about every
 * millisecond. One second after each kill, no writer alive and Redis therefore still, every key's
 * L1 value on the reader must be absent or equal to what Redis holds, read through a third client
 * whose cache has {@code localMaxSize=0}. The differing entries are printed per kill and in total;
 * the test demands 0 in total. After each check, a differing entry is reset (the reader puts the
 * value Redis holds, which drops it from its L1), so that each kill is counted on its own.
 *
 * <p>What this proves: a write's change to Redis and its announcement to the other nodes cannot
 * be separated by a crash of the writer. If the invalidation is sent as a second step after the
 * Redis write, a writer killed between the two leaves the others serving the old value until its
 * {@code localTtl} (an hour here).
 */
class CrashTest {
  static final String CACHE = "product";
  static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final CacheSpec REDIS_ONLY =
      CacheSpec.parse("localMaxSize=0,localTtl=1h,remoteTtl=1h");
  private static final String PREFIX = "crash";
  private static final int KEYS = 50;
  private static final int KILLS = 24;
  private static final int MAX_KILL_DELAY_MILLIS = 200;
  /** How long after a kill the reader must agree with Redis. */
  private static final Duration SETTLE = Duration.ofSeconds(1);
  /** A child JVM's start on a busy 2-core box, with room to spare. */
  private static final Duration CHILD_START = Duration.ofSeconds(30);
  private static final List<String> KEY_NAMES =
      IntStream.range(0, KEYS).mapToObj(i -> "k" + i).toList();

  /** One {@link CrashingWriter} process and what it said on stdout. */
  private static final class Child implements AutoCloseable {
    final int run;
    final Process process;
    final Path log;
    final CountDownLatch ready = new CountDownLatch(1);
    final CountDownLatch writing = new CountDownLatch(1);

    Child(String redisUri, int run, long seed) {
      this.run = run;
      try {
        log = Files.createTempFile("crashing-writer-" + run + "-", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java,
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m",
            "-cp", System.getProperty("java.class.path"),
            CrashingWriter.class.getName(),
            redisUri, PREFIX, Integer.toString(run), Long.toString(seed),
            Integer.toString(KEYS))
            .redirectErrorStream(false)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the writer JVM", e);
      }
      Thread stdout = new Thread(this::readStdout, "crashing-writer-" + run + "-stdout");
      stdout.setDaemon(true);
      stdout.start();
    }

    private void readStdout() {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.equals(CrashingWriter.READY)) {
            ready.countDown();
          } else if (line.equals(CrashingWriter.WRITING)) {
            writing.countDown();
          }
        }
      } catch (IOException e) {
        // the process was killed: its stdout is gone
      }
    }

    void awaitReady() throws InterruptedException {
      assertThat(ready.await(CHILD_START.toMillis(), TimeUnit.MILLISECONDS))
          .as("writer %d ready within %s (alive: %s); its stderr:%n%s", run, CHILD_START,
              process.isAlive(), stderr())
          .isTrue();
    }

    /** Lets the writer start its puts and waits until the first ones returned. */
    void startWriting() throws InterruptedException {
      try {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("writer " + run + " is gone; its stderr:\n" + stderr(), e);
      }
      assertThat(writing.await(10, TimeUnit.SECONDS))
          .as("writer %d writing (alive: %s); its stderr:%n%s", run, process.isAlive(), stderr())
          .isTrue();
    }

    /** kill -9, and waits for the process to be gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("writer %d dead", run).isTrue();
    }

    String stderr() {
      try {
        return Files.readString(log, StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e + ")";
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(log);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // a temp file left behind
      }
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aWriterKilledMidWriteLeavesNoOtherNodeStale() throws Exception {
    long seed = Long.getLong("crash.seed", 20261128L);
    Random random = new Random(seed);
    long testStart = System.nanoTime();
    List<Child> children = new ArrayList<>();
    CountDownLatch stopReading = new CountDownLatch(1);
    AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    AtomicLong passes = new AtomicLong();
    try (RedisServer redis = RedisServer.start();
        NearCacheClient readerClient = NearCacheClient.builder().redisUri(redis.uri())
            .keyPrefix(PREFIX).instanceId("reader").build();
        NearCacheClient redisClient = NearCacheClient.builder().redisUri(redis.uri())
            .keyPrefix(PREFIX).instanceId("redis-view").build()) {
      DefaultNearCache<String, String> reader = (DefaultNearCache<String, String>)
          readerClient.cache(CACHE, SPEC, new StringSerializer());
      NearCache<String, String> inRedis = redisClient.cache(CACHE, REDIS_ONLY,
          new StringSerializer());
      for (String key : KEY_NAMES) {
        reader.put(key, "v0");
        assertThat(reader.get(key, inRedis::getIfPresent)).isEqualTo("v0");
        assertThat(reader.peekLocal(key)).as("%s warm in L1", key).isEqualTo("v0");
      }
      Thread rereader = new Thread(() -> {
        try {
          while (!stopReading.await(1, TimeUnit.MILLISECONDS)) {
            for (String key : KEY_NAMES) {
              reader.get(key, inRedis::getIfPresent);
            }
            passes.incrementAndGet();
          }
        } catch (Throwable e) {
          readerFailure.set(e);
        }
      }, "crash-test-rereader");
      rereader.start();
      try {
        runKills(redis, reader, inRedis, random, children, passes, readerFailure, testStart);
      } finally {
        stopReading.countDown();
        rereader.join(10_000);
      }
      assertThat(readerFailure.get()).as("reader failure").isNull();
    } finally {
      children.forEach(Child::close);
    }
  }

  private static void runKills(RedisServer redis, DefaultNearCache<String, String> reader,
      NearCache<String, String> inRedis, Random random, List<Child> children, AtomicLong passes,
      AtomicReference<Throwable> readerFailure, long testStart) throws InterruptedException {
    int totalDiffering = 0;
    int killsWithStaleness = 0;
    Child next = new Child(redis.uri(), 1, random.nextLong());
    children.add(next);
    for (int run = 1; run <= KILLS; run++) {
      Child child = next;
      child.awaitReady();
      long passesBefore = passes.get();
      child.startWriting();
      int delayMillis = random.nextInt(MAX_KILL_DELAY_MILLIS + 1);
      // A timed wait that returns early only if the writer dies by itself (it must not).
      assertThat(child.process.waitFor(delayMillis, TimeUnit.MILLISECONDS))
          .as("writer %d died before it was killed; its stderr:%n%s", run, child.stderr())
          .isFalse();
      child.kill();
      long killedAt = System.nanoTime();
      if (run < KILLS) {
        // Starts while we wait out SETTLE; it writes nothing until told to.
        next = new Child(redis.uri(), run + 1, random.nextLong());
        children.add(next);
      }
      await().pollDelay(SETTLE).atMost(SETTLE.multipliedBy(3)).until(() -> true);
      assertThat(System.nanoTime() - killedAt).isGreaterThanOrEqualTo(SETTLE.toNanos());

      int differing = 0;
      int writtenByThisRun = 0;
      long lastCounter = 0;
      List<String> examples = new ArrayList<>();
      for (String key : KEY_NAMES) {
        String truth = inRedis.getIfPresent(key);
        String local = reader.peekLocal(key);
        if (truth != null && truth.startsWith("v" + run + "-")) {
          writtenByThisRun++;
          lastCounter = Math.max(lastCounter,
              Long.parseLong(truth.substring(truth.indexOf('-') + 1)));
        }
        if (local != null && !local.equals(truth)) {
          differing++;
          if (examples.size() < 3) {
            examples.add(key + ": L1 " + local + ", Redis " + truth);
          }
          // Resets the entry, so that the next kill is counted on its own.
          if (truth == null) {
            reader.invalidate(key);
          } else {
            reader.put(key, truth);
          }
        }
      }
      totalDiffering += differing;
      killsWithStaleness += differing > 0 ? 1 : 0;
      System.out.printf("kill %2d at +%3d ms of writing: %d of %d keys written by it, last"
              + " write ~#%d; %d L1 entries differ from Redis %s (reader passes during the"
              + " run: %d)%n",
          run, delayMillis, writtenByThisRun, KEYS, lastCounter, differing,
          examples.isEmpty() ? "" : examples, passes.get() - passesBefore);
      assertThat(writtenByThisRun).as("writer %d wrote before it was killed", run)
          .isPositive();
      assertThat(passes.get()).as("the reader keeps re-reading")
          .isGreaterThan(passesBefore);
      assertThat(readerFailure.get()).as("reader failure").isNull();
    }
    System.out.printf("%d kills in %.1f s: %d L1 entries differed from Redis 1 s after a"
            + " kill, after %d of the kills; reader stats %s%n",
        KILLS, (System.nanoTime() - testStart) / 1e9, totalDiffering, killsWithStaleness,
        reader.stats());
    assertThat(totalDiffering)
        .as("L1 entries of the reader that differed from Redis 1 s after a writer's kill -9,"
            + " over %d kills", KILLS)
        .isZero();
}
}
