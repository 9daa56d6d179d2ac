package io.nearcache;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The writer {@link CrashTest} runs in a child JVM and kills with kill -9: an app node that dies
 * in the middle of its writes, whatever step of a write it was in.
 *
 * <p>Arguments: Redis URI, key prefix, run number (used in the values and the instance id), seed,
 * number of keys. It builds a {@link NearCacheClient} and the cache {@link CrashTest#CACHE} with
 * {@link CrashTest#SPEC} and {@link StringSerializer}, as the test's reader does, prints {@value
 * #READY}, waits for a line on stdin, then puts {@code "v<run>-<counter>"} under random keys
 * {@code k0..k<n-1>} as fast as it can, with no pause, until it is killed. It prints {@value
 * #WRITING} once {@value #WRITES_BEFORE_PROGRESS} puts have returned.
 */
final class CrashingWriter {
  static final String READY = "ready";
  static final String WRITING = "writing";
  static final int WRITES_BEFORE_PROGRESS = 200;

  private CrashingWriter() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    String prefix = args[1];
    int run = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    int keys = Integer.parseInt(args[4]);
    // Never closed: the test kills this JVM.
    NearCacheClient client = NearCacheClient.builder()
        .redisUri(uri)
        .keyPrefix(prefix)
        .instanceId("crashing-writer-" + run)
        .build();
    NearCache<String, String> cache = client.cache(CrashTest.CACHE, CrashTest.SPEC,
        new StringSerializer());
    System.out.println(READY);
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    if (in.readLine() == null) {
      client.close(); // the test went away before it let us write
      return;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (long counter = 1; ; counter++) {
      cache.put("k" + random.nextInt(keys), "v" + run + "-" + counter);
      if (counter == WRITES_BEFORE_PROGRESS) {
        System.out.println(WRITING);
        System.out.flush();
      }
    }
  }
}
