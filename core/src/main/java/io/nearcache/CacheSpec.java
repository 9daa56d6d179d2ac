package io.nearcache;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration of one cache: how much L1 holds and for how long, and how long L2 keeps
 * values. Immutable; build one with {@link #builder()} or parse one from an application's config
 * file with {@link #parse}, whose format {@link #toString()} writes back.
 *
 * <pre>{@code
 * CacheSpec.parse("localMaxSize=10000,localTtl=30s,remoteTtl=5m")
 * CacheSpec.builder().localMaxBytes(64 << 20).localTtl(Duration.ofSeconds(30)).build()
 * }</pre>
 *
 * <p>Spec-string keys: {@code localMaxSize} (entries), {@code localMaxBytes} (bytes of encoded
 * values; {@code 512kb}, {@code 64mb}, {@code 1gb} accepted), {@code localTtl}, {@code remoteTtl}
 * (durations: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601 such as
 * {@code PT30S}), {@code maxValueBytes} (bytes, same suffixes), {@code recordStats} ({@code true}
 * or {@code false}), {@code nullTtl}, {@code leaseTimeout}, {@code refreshAfter} and {@code
 * staleIfError} (durations).
 */
public final class CacheSpec {
  /** L1 entry bound when neither {@code localMaxSize} nor {@code localMaxBytes} is set: 10,000. */
  public static final long DEFAULT_LOCAL_MAX_SIZE = 10_000;
  /** How long an entry stays in L1 after it was written there: 30 seconds. */
  public static final Duration DEFAULT_LOCAL_TTL = Duration.ofSeconds(30);
  /** How long a value stays in Redis after it was written: 5 minutes. */
  public static final Duration DEFAULT_REMOTE_TTL = Duration.ofMinutes(5);
  /** Largest encoded value written to Redis: 1 MiB. Larger values are served, not stored in L2. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
  /** Stats are recorded unless turned off. */
  public static final boolean DEFAULT_RECORD_STATS = true;
  /** "No value" is not cached unless {@code nullTtl} is set: zero. */
  public static final Duration DEFAULT_NULL_TTL = Duration.ZERO;
  /** How long a fleet-wide load lease lasts before another instance may take over: 5 seconds. */
  public static final Duration DEFAULT_LEASE_TIMEOUT = Duration.ofSeconds(5);
  /** Entries are not refreshed ahead of their expiry unless {@code refreshAfter} is set: zero. */
  public static final Duration DEFAULT_REFRESH_AFTER = Duration.ZERO;
  /** Expired values are not served when the loader fails unless {@code staleIfError} is set. */
  public static final Duration DEFAULT_STALE_IF_ERROR = Duration.ZERO;

  private static final long UNSET = -1;
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern BYTES = Pattern.compile("(\\d+)(b|kb|mb|gb)?");

  private final long localMaxSize;
  private final long localMaxBytes;
  private final Duration localTtl;
  private final Duration remoteTtl;
  private final int maxValueBytes;
  private final boolean recordStats;
  private final Duration nullTtl;
  private final Duration leaseTimeout;
  private final Duration refreshAfter;
  private final Duration staleIfError;

  private CacheSpec(Builder b) {
    this.localMaxBytes = b.localMaxBytes;
    this.localMaxSize =
        b.localMaxSize == UNSET && b.localMaxBytes == UNSET ? DEFAULT_LOCAL_MAX_SIZE
            : b.localMaxSize;
    this.localTtl = b.localTtl == null ? DEFAULT_LOCAL_TTL : b.localTtl;
    this.remoteTtl = b.remoteTtl == null ? DEFAULT_REMOTE_TTL : b.remoteTtl;
    this.maxValueBytes = b.maxValueBytes == UNSET ? DEFAULT_MAX_VALUE_BYTES : (int) b.maxValueBytes;
    this.recordStats = b.recordStats == null ? DEFAULT_RECORD_STATS : b.recordStats;
    this.nullTtl = b.nullTtl == null ? DEFAULT_NULL_TTL : b.nullTtl;
    this.leaseTimeout = b.leaseTimeout == null ? DEFAULT_LEASE_TIMEOUT : b.leaseTimeout;
    this.refreshAfter = b.refreshAfter == null ? DEFAULT_REFRESH_AFTER : b.refreshAfter;
    this.staleIfError = b.staleIfError == null ? DEFAULT_STALE_IF_ERROR : b.staleIfError;
  }

  /**
   * Returns the spec with every default.
   *
   * @return the default spec
   */
  public static CacheSpec defaults() {
    return builder().build();
  }

  /**
   * Returns a builder with nothing set; unset options take the {@code DEFAULT_*} values.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses a spec string such as {@code "localMaxSize=10000,localTtl=30s,remoteTtl=5m"}. Options
   * are separated by commas, keys and values by {@code =}; whitespace around either is ignored.
   * Unset options take the {@code DEFAULT_*} values.
   *
   * @param spec the spec string; may be empty
   * @return the spec
   * @throws NullPointerException if {@code spec} is null
   * @throws IllegalArgumentException for an unknown, repeated or valueless key, a malformed or
   *     out-of-range value, or conflicting options; the message names the key, the value and what
   *     was expected
   */
  public static CacheSpec parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    Builder b = builder();
    Set<String> seen = new HashSet<>();
    for (String option : spec.split(",", -1)) {
      if (option.isBlank()) {
        if (spec.isBlank()) {
          break;
        }
        throw new IllegalArgumentException("empty option in \"" + spec + "\"");
      }
      String[] pair = option.split("=", 2);
      String key = pair[0].trim();
      if (pair.length < 2 || pair[1].isBlank()) {
        throw new IllegalArgumentException(
            "value of key " + key + " was omitted in \"" + spec + "\"");
      }
      if (!seen.add(key)) {
        throw new IllegalArgumentException("key " + key + " is repeated in \"" + spec + "\"");
      }
      String value = pair[1].trim();
      switch (key) {
        case "localMaxSize" -> b.localMaxSize(parseLong(key, value));
        case "localMaxBytes" -> b.localMaxBytes(parseBytes(key, value));
        case "localTtl" -> b.localTtl(parseDuration(key, value));
        case "remoteTtl" -> b.remoteTtl(parseDuration(key, value));
        case "maxValueBytes" -> b.maxValueBytes(parseIntBytes(key, value));
        case "recordStats" -> b.recordStats(parseBoolean(key, value));
        case "nullTtl" -> b.nullTtl(parseDuration(key, value));
        case "leaseTimeout" -> b.leaseTimeout(parseDuration(key, value));
        case "refreshAfter" -> b.refreshAfter(parseDuration(key, value));
        case "staleIfError" -> b.staleIfError(parseDuration(key, value));
        default -> throw new IllegalArgumentException(
            "unknown key '" + key + "' in \"" + spec + "\"; known keys: localMaxSize,"
                + " localMaxBytes, localTtl, remoteTtl, maxValueBytes, recordStats, nullTtl,"
                + " leaseTimeout, refreshAfter, staleIfError");
      }
    }
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage() + " in \"" + spec + "\"", e);
    }
  }

  private static long parseLong(String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + ": \"" + value + "\" is not a whole number", e);
    }
  }

  private static long parseBytes(String key, String value) {
    Matcher m = BYTES.matcher(value.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          key + ": \"" + value + "\" is not a size; use a number of bytes or 512kb, 64mb, 1gb");
    }
    int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
      case "kb" -> 10;
      case "mb" -> 20;
      case "gb" -> 30;
      default -> 0;
    };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(key + ": \"" + value + "\" is too large", e);
    }
  }

  private static int parseIntBytes(String key, String value) {
    long bytes = parseBytes(key, value);
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          key + ": \"" + value + "\" is more than " + Integer.MAX_VALUE + " bytes");
    }
    return (int) bytes;
  }

  private static Duration parseDuration(String key, String value) {
    Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      }
      if (value.startsWith("P") || value.startsWith("p")) {
        return Duration.parse(value);
      }
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(durationMessage(key, value), e);
    }
    throw new IllegalArgumentException(durationMessage(key, value));
  }

  private static String durationMessage(String key, String value) {
    return key + ": \"" + value + "\" is not a duration; use 500ms, 30s, 5m, 1h, 1d or ISO-8601"
        + " (PT30S)";
  }

  private static boolean parseBoolean(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(
          key + ": \"" + value + "\" is not a boolean; use true or false");
    };
  }

  /**
   * L1's bound in entries, or -1 when L1 is bounded by {@link #localMaxBytes()} instead.
   *
   * @return the bound in entries, or -1
   */
  public long localMaxSize() {
    return localMaxSize;
  }

  /**
   * L1's bound in bytes of encoded values, or -1 when L1 is bounded by entry count.
   *
   * @return the bound in bytes, or -1
   */
  public long localMaxBytes() {
    return localMaxBytes;
  }

  /**
   * How long an entry stays in L1 after it was written there.
   *
   * @return the L1 time to live, positive
   */
  public Duration localTtl() {
    return localTtl;
  }

  /**
   * How long a value stays in Redis after it was written.
   *
   * @return the Redis time to live, at least 1 ms
   */
  public Duration remoteTtl() {
    return remoteTtl;
  }

  /**
   * Largest encoded value, in bytes, written to Redis.
   *
   * @return the limit in bytes, at least 1
   */
  public int maxValueBytes() {
    return maxValueBytes;
  }

  /**
   * Whether {@link NearCache#stats()} counts.
   *
   * @return {@code true} if the cache counts hits, misses, loads and errors
   */
  public boolean recordStats() {
    return recordStats;
  }

  /**
   * How long "no value" is cached in both tiers; zero when it is not cached.
   *
   * @return zero, or at least 1 ms
   */
  public Duration nullTtl() {
    return nullTtl;
  }

  /**
   * How long a load lease lasts before another instance may take over the load.
   *
   * @return the lease timeout, at least 1 ms
   */
  public Duration leaseTimeout() {
    return leaseTimeout;
  }

  /**
   * How old an entry may get before a read of it, served at once, also starts its reload in the
   * background; zero when entries are not refreshed ahead of expiry.
   *
   * @return zero, or an age of at least 1 ms shorter than both TTLs
   */
  public Duration refreshAfter() {
    return refreshAfter;
  }

  /**
   * How long after a value expired it may still be served when its loader throws; zero when a
   * failing loader's exception always reaches the caller.
   *
   * @return zero, or at least 1 ms
   */
  public Duration staleIfError() {
    return staleIfError;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheSpec s
        && localMaxSize == s.localMaxSize && localMaxBytes == s.localMaxBytes
        && localTtl.equals(s.localTtl) && remoteTtl.equals(s.remoteTtl)
        && maxValueBytes == s.maxValueBytes && recordStats == s.recordStats
        && nullTtl.equals(s.nullTtl) && leaseTimeout.equals(s.leaseTimeout)
        && refreshAfter.equals(s.refreshAfter) && staleIfError.equals(s.staleIfError);
  }

  @Override
  public int hashCode() {
    return Objects.hash(localMaxSize, localMaxBytes, localTtl, remoteTtl, maxValueBytes,
        recordStats, nullTtl, leaseTimeout, refreshAfter, staleIfError);
  }

  /** Returns the spec string, which {@link #parse} turns back into an equal spec. */
  @Override
  public String toString() {
    String bound = localMaxBytes == UNSET
        ? "localMaxSize=" + localMaxSize
        : "localMaxBytes=" + localMaxBytes;
    return bound + ",localTtl=" + format(localTtl) + ",remoteTtl=" + format(remoteTtl)
        + ",maxValueBytes=" + maxValueBytes + ",recordStats=" + recordStats
        + ",nullTtl=" + format(nullTtl) + ",leaseTimeout=" + format(leaseTimeout)
        + (refreshAfter.isZero() ? "" : ",refreshAfter=" + format(refreshAfter))
        + (staleIfError.isZero() ? "" : ",staleIfError=" + format(staleIfError));
  }

  private static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.getNano() % 1_000_000 != 0) {
      return d.toString();
    }
    long millis = d.toMillis();
    long[] sizes = {86_400_000, 3_600_000, 60_000, 1_000};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis % sizes[i] == 0) {
        return millis / sizes[i] + units[i];
      }
    }
    return millis + "ms";
  }

  /**
   * Builds a {@link CacheSpec}. Each option may be set once ({@link IllegalStateException}
   * otherwise); a value out of range is an {@link IllegalArgumentException} whose message states
   * the rule and the value. Rules that involve several options are checked by {@link #build()}.
   */
  public static final class Builder {
    private long localMaxSize = UNSET;
    private long localMaxBytes = UNSET;
    private Duration localTtl;
    private Duration remoteTtl;
    private long maxValueBytes = UNSET;
    private Boolean recordStats;
    private Duration nullTtl;
    private Duration leaseTimeout;
    private Duration refreshAfter;
    private Duration staleIfError;

    private Builder() {}

    /**
     * Bounds L1 by entry count. Default {@value #DEFAULT_LOCAL_MAX_SIZE}; 0 keeps L1 empty (every
     * read goes to Redis). Cannot be combined with {@link #localMaxBytes}.
     *
     * @param entries at least 0
     * @return this builder
     */
    public Builder localMaxSize(long entries) {
      requireState(localMaxSize == UNSET, "localMaxSize was already set to %s", localMaxSize);
      requireArgument(entries >= 0, "localMaxSize < 0: %s", entries);
      localMaxSize = entries;
      return this;
    }

    /**
     * Bounds L1 by the encoded size of its values (an estimate of their heap cost). Unset by
     * default. Cannot be combined with {@link #localMaxSize}.
     *
     * @param bytes at least 1
     * @return this builder
     */
    public Builder localMaxBytes(long bytes) {
      requireState(localMaxBytes == UNSET, "localMaxBytes was already set to %s", localMaxBytes);
      requireArgument(bytes >= 1, "localMaxBytes < 1: %s", bytes);
      localMaxBytes = bytes;
      return this;
    }

    /**
     * How long an entry stays in L1 after it was written there; the staleness bound when every
     * invalidation message is lost. Default 30 s.
     *
     * @param ttl positive
     * @return this builder
     */
    public Builder localTtl(Duration ttl) {
      requireState(localTtl == null, "localTtl was already set to %s", localTtl);
      localTtl = requirePositive("localTtl", ttl);
      return this;
    }

    /**
     * How long a value stays in Redis after it was written. Default 5 min; at least 1 ms, Redis'
     * smallest expiry.
     *
     * @param ttl at least 1 ms
     * @return this builder
     */
    public Builder remoteTtl(Duration ttl) {
      requireState(remoteTtl == null, "remoteTtl was already set to %s", remoteTtl);
      requireArgument(requirePositive("remoteTtl", ttl).toMillis() >= 1, "remoteTtl < 1ms: %s",
          ttl);
      remoteTtl = ttl;
      return this;
    }

    /**
     * Largest encoded value written to Redis; larger ones are served and kept in L1 but not stored
     * in L2, and counted. Default 1 MiB.
     *
     * @param bytes at least 1
     * @return this builder
     */
    public Builder maxValueBytes(int bytes) {
      requireState(maxValueBytes == UNSET, "maxValueBytes was already set to %s", maxValueBytes);
      requireArgument(bytes >= 1, "maxValueBytes < 1: %s", bytes);
      maxValueBytes = bytes;
      return this;
    }

    /**
     * Whether the cache counts hits, misses, loads and errors. Default true; off, {@link
     * NearCache#stats()} is always empty and the hit path does no counting.
     *
     * @param enabled {@code false} to turn counting off
     * @return this builder
     */
    public Builder recordStats(boolean enabled) {
      requireState(recordStats == null, "recordStats was already set to %s", recordStats);
      recordStats = enabled;
      return this;
    }

    /**
     * Caches "no value" (a loader that returned {@code null}) for this long in both tiers, so that
     * a storm of lookups for something missing does not reach the database. Default zero: not
     * cached. In L1 such an entry lives at most {@code min(nullTtl, localTtl)}.
     *
     * @param ttl zero (off) or at least 1 ms
     * @return this builder
     */
    public Builder nullTtl(Duration ttl) {
      requireState(nullTtl == null, "nullTtl was already set to %s", nullTtl);
      Objects.requireNonNull(ttl, "nullTtl");
      requireArgument(ttl.isZero() || ttl.toMillis() >= 1, "nullTtl must be 0 or at least 1ms: %s",
          ttl);
      nullTtl = ttl;
      return this;
    }

    /**
     * How long the instance that won a load keeps its lease. Others wait for its value up to twice
     * this long; once the lease expires (its holder died or hangs) one of them takes the load
     * over. Default 5 s; make it longer than the slowest normal load.
     *
     * @param timeout at least 1 ms
     * @return this builder
     */
    public Builder leaseTimeout(Duration timeout) {
      requireState(leaseTimeout == null, "leaseTimeout was already set to %s", leaseTimeout);
      requireArgument(requirePositive("leaseTimeout", timeout).toMillis() >= 1,
          "leaseTimeout < 1ms: %s", timeout);
      leaseTimeout = timeout;
      return this;
    }

    /**
     * Refreshes entries ahead of their expiry: a {@link NearCache#get(Object,
     * java.util.function.Function)} of an L1 entry older than this returns it at once and starts
     * its reload on the client's refresh executor. One instance of the fleet reloads (the one that
     * takes the key's lease; the others keep serving) and writes the new value as {@link
     * NearCache#put} would, so every instance drops the old one. A refresh that fails leaves the
     * old value until its TTL, counted in {@link CacheStats#refreshFailures()}. Default zero: off.
     *
     * @param age zero (off), or at least 1 ms and shorter than {@code localTtl} and {@code
     *     remoteTtl} (checked by {@link #build()})
     * @return this builder
     */
    public Builder refreshAfter(Duration age) {
      requireState(refreshAfter == null, "refreshAfter was already set to %s", refreshAfter);
      refreshAfter = requireZeroOrMillis("refreshAfter", age);
      return this;
    }

    /**
     * Serves a value that expired less than this long ago when its loader throws (RFC 5861's
     * {@code stale-if-error}), counted in {@link CacheStats#staleServed()} and logged. Only a
     * value that merely expired: one removed by {@code put}, {@code invalidate}, a tag or a
     * whole-cache invalidation never is. Redis keeps each value this much longer than {@code
     * remoteTtl} for it, which costs that much more memory in Redis for keys not rewritten
     * sooner. Default zero: off.
     *
     * @param grace zero (off) or at least 1 ms
     * @return this builder
     */
    public Builder staleIfError(Duration grace) {
      requireState(staleIfError == null, "staleIfError was already set to %s", staleIfError);
      staleIfError = requireZeroOrMillis("staleIfError", grace);
      return this;
    }

    /**
     * Returns the spec.
     *
     * @return the spec, immutable
     * @throws IllegalStateException if both {@code localMaxSize} and {@code localMaxBytes} were
     *     set, or {@code refreshAfter} is not shorter than both TTLs
     */
    public CacheSpec build() {
      if (localMaxSize != UNSET && localMaxBytes != UNSET) {
        throw new IllegalStateException(
            "localMaxSize and localMaxBytes cannot both be set; use one");
      }
      CacheSpec spec = new CacheSpec(this);
      if (!spec.refreshAfter.isZero() && (spec.refreshAfter.compareTo(spec.localTtl) >= 0
          || spec.refreshAfter.compareTo(spec.remoteTtl) >= 0)) {
        throw new IllegalStateException("refreshAfter (" + format(spec.refreshAfter)
            + ") must be shorter than localTtl (" + format(spec.localTtl) + ") and remoteTtl ("
            + format(spec.remoteTtl) + ")");
      }
      return spec;
    }

    private static Duration requireZeroOrMillis(String name, Duration d) {
      Objects.requireNonNull(d, name);
      requireArgument(d.isZero() || d.toMillis() >= 1, name + " must be 0 or at least 1ms: %s", d);
      return d;
    }

    private static Duration requirePositive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      requireArgument(!d.isNegative() && !d.isZero(), name + " <= 0: %s", d);
      return d;
    }

    private static void requireArgument(boolean ok, String template, Object arg) {
      if (!ok) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, template, arg));
      }
    }

    private static void requireState(boolean ok, String template, Object arg) {
      if (!ok) {
        throw new IllegalStateException(String.format(Locale.ROOT, template, arg));
      }
    }
  }
}
