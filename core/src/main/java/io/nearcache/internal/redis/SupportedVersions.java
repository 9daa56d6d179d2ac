package io.nearcache.internal.redis;

/**
 * The Redis versions this library supports: 6.2 and later. Every one of 6.2, 7.0 and 8.0 runs the
 * whole test suite in CI. 6.2 is the oldest still offered by managed services; the change scripts
 * use nothing newer (explicit stream IDs, {@code struct.pack}, {@code PUBLISH} from a script).
 */
public final class SupportedVersions {
  /** The oldest supported version. */
  public static final String MINIMUM = "6.2.0";

  /** The first version with sharded pub/sub. */
  private static final String SHARDED_PUB_SUB = "7.0.0";
  /** The first version whose {@code SET} takes {@code NX} and {@code GET} together. */
  private static final String SET_NX_GET = "7.0.0";

  private SupportedVersions() {}

  /**
   * Checks the version a server reported.
   *
   * @param version as {@code INFO server} gives it, e.g. {@code 7.0.15}
   * @param server where it was found, for the message
   * @throws IllegalStateException naming the version found and the minimum, if it is older or
   *     cannot be read
   */
  public static void require(String version, String server) {
    if (compare(version, MINIMUM) < 0) {
      throw new IllegalStateException("Redis " + version + " at " + server
          + " is not supported: nearcache needs Redis " + MINIMUM + " or later");
    }
  }

  /** Whether {@code version} has sharded pub/sub ({@code SPUBLISH}): 7.0 and later. */
  public static boolean hasShardedPubSub(String version) {
    return compare(version, SHARDED_PUB_SUB) >= 0;
  }

  /**
   * Whether {@code version} takes {@code SET} with both {@code NX} and {@code GET}: 7.0 and later.
   */
  public static boolean hasSetNxGet(String version) {
    return compare(version, SET_NX_GET) >= 0;
  }

  /** Compares dotted versions numerically, missing parts as 0; one that does not parse is least. */
  private static int compare(String a, String b) {
    int[] x = parse(a);
    int[] y = parse(b);
    for (int i = 0; i < 3; i++) {
      if (x[i] != y[i]) {
        return Integer.compare(x[i], y[i]);
      }
    }
    return 0;
  }

  private static int[] parse(String version) {
    int[] parts = {0, 0, 0};
    String[] split = version.trim().split("\\.");
    try {
      for (int i = 0; i < Math.min(3, split.length); i++) {
        parts[i] = Integer.parseInt(split[i]);
      }
    } catch (NumberFormatException e) {
      return new int[] {-1, -1, -1};
    }
    return parts;
  }
}
