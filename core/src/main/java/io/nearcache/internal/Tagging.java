package io.nearcache.internal;

import io.nearcache.internal.invalidation.InvalidationLog;
import io.nearcache.internal.l2.Frame;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.tags.TagVersions;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One cache's tags: the user's function from a value to its tags, and what this node knows of the
 * cache's tag invalidations ({@link TagVersions}), with Redis failures counted and logged and
 * turned into "not current", never thrown at a caller.
 *
 * @param <V> the value type
 */
final class Tagging<V> {
  /** The tags of an untagged value. */
  static final String[] NONE = {};

  /** How many tags' versions a node keeps per cache before judging older values by Redis. */
  private static final int KNOWN_TAGS = 100_000;

  private final Function<? super V, ? extends Collection<String>> tagsOf;
  private final TagVersions versions;
  private final RedisErrors errors;

  /**
   * @param tagsOf the cache's tag function, {@code null} for a cache without tags
   */
  Tagging(Function<? super V, ? extends Collection<String>> tagsOf, RemoteStore remote,
      RedisErrors errors) {
    this.tagsOf = tagsOf;
    this.versions = new TagVersions(KNOWN_TAGS, remote::tagEpoch, remote::tagVersions);
    this.errors = errors;
  }

  /** Whether the cache's values carry tags. */
  boolean tagged() {
    return tagsOf != null;
  }

  /**
   * The tag epoch a load beginning now carries: 0 for an untagged cache, {@link
   * TagVersions#UNKNOWN} if it cannot be read (the load's result is then neither stored nor
   * cached).
   */
  long epochForLoad() {
    if (tagsOf == null) {
      return 0;
    }
    try {
      return versions.epoch();
    } catch (JedisException e) {
      errors.record("GET", "the tag epoch", e);
      return TagVersions.UNKNOWN;
    }
  }

  /**
   * The tags of {@code value}, as the tag function gives them, without duplicates.
   *
   * @throws NullPointerException if the function returned {@code null} or a {@code null} tag
   * @throws IllegalArgumentException if a tag is invalid (see {@link #checked})
   */
  List<String> tagsOf(V value) {
    if (tagsOf == null || value == null) {
      return List.of();
    }
    return checked(Objects.requireNonNull(tagsOf.apply(value), "the tag function returned null"));
  }

  /**
   * Tags as given, without duplicates.
   *
   * @throws NullPointerException if {@code tags} or a tag is {@code null}
   * @throws IllegalArgumentException if a tag is empty, holds the character U+0000, or is longer
   *     than 65,535 UTF-8 bytes, or a value has more than {@value Frame#MAX_TAGS} tags
   */
  static List<String> checked(Collection<String> tags) {
    Set<String> unique = new LinkedHashSet<>();
    for (String tag : tags) {
      Objects.requireNonNull(tag, "a tag is null");
      if (tag.isEmpty() || tag.indexOf(InvalidationLog.TAG_SEPARATOR) >= 0) {
        throw new IllegalArgumentException("a tag must be non-empty and hold no U+0000: \""
            + tag + "\"");
      }
      unique.add(tag);
    }
    if (unique.size() > Frame.MAX_TAGS) {
      throw new IllegalArgumentException(unique.size() + " tags, over " + Frame.MAX_TAGS);
    }
    return List.copyOf(unique);
  }

  /** Tags as L1 keeps them. */
  static String[] array(List<String> tags) {
    return tags.isEmpty() ? NONE : tags.toArray(String[]::new);
  }

  /**
   * Whether a value of {@code k} carrying {@code tags}, loaded in {@code epoch}, is current; a
   * Redis failure while judging it counts, and the answer is then {@code false}.
   */
  boolean isCurrent(String k, List<String> tags, long epoch) {
    try {
      return versions.isCurrent(tags, epoch);
    } catch (JedisException e) {
      errors.record("MGET", "the tag versions of " + k, e);
      return false;
    }
  }

  /** An invalidation of {@code tags} in {@code epoch}, heard, replayed or made here. */
  void heard(List<String> tags, long epoch) {
    versions.heard(tags, epoch);
  }

  /** Contact was lost and not repaired by a replay: the epoch is read again before use. */
  void forget() {
    versions.forget();
  }
}
