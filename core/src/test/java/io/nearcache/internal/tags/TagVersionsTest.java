package io.nearcache.internal.tags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of {@link TagVersions} on its own: what "Redis" holds is a map here, so that
 * each rule (the map, the floor, forgetting) is shown apart. The Redis side is covered by
 * {@code TagInvalidationTest} and {@code ClusterTest}.
 */
class TagVersionsTest {
  private final Map<String, Long> stored = new HashMap<>();
  private long storedEpoch;
  private final AtomicInteger reads = new AtomicInteger();

  private TagVersions versions(int maxTags) {
    return new TagVersions(maxTags, () -> storedEpoch, tags -> {
      reads.incrementAndGet();
      return tags.stream().map(t -> stored.getOrDefault(t, 0L)).toList();
    });
  }

  /** Redis invalidates {@code tag}; the node hears it only if {@code heardBy} is given. */
  private void invalidate(String tag, TagVersions heardBy) {
    storedEpoch++;
    stored.put(tag, storedEpoch);
    if (heardBy != null) {
      heardBy.heard(List.of(tag), storedEpoch);
    }
  }

  @Test
  void valuesAreJudgedByWhatTheNodeHeardWithoutReadingRedis() {
    TagVersions versions = versions(10);
    assertThat(versions.epoch()).isZero();
    invalidate("a", versions);
    assertThat(versions.epoch()).isEqualTo(1);
    assertThat(versions.isCurrent(List.of("a", "b"), 0)).as("a changed after").isFalse();
    assertThat(versions.isCurrent(List.of("a", "b"), 1)).isTrue();
    assertThat(versions.isCurrent(List.of("b"), 0)).as("b never changed").isTrue();
    assertThat(versions.isCurrent(List.of("a"), TagVersions.UNKNOWN)).isFalse();
    assertThat(reads).hasValue(0);
  }

  @Test
  void valuesOlderThanTheFloorAreJudgedByRedis() {
    invalidate("a", null);
    invalidate("b", null);
    TagVersions versions = versions(10);
    assertThat(versions.epoch()).as("learned from Redis: the floor").isEqualTo(2);
    assertThat(versions.isCurrent(List.of("a"), 1)).isTrue();
    assertThat(versions.isCurrent(List.of("b"), 1)).isFalse();
    assertThat(reads).hasValue(2);
    assertThat(versions.isCurrent(List.of("a", "b"), 1)).as("now remembered").isFalse();
    assertThat(reads).hasValue(2);
  }

  @Test
  void forgottenTagsRaiseTheFloor() {
    TagVersions versions = versions(2);
    versions.epoch();
    invalidate("a", versions);
    invalidate("b", versions);
    invalidate("c", versions); // a is forgotten: the floor rises to 1
    assertThat(versions.isCurrent(List.of("a"), 0)).isFalse();
    assertThat(reads).as("a asked of Redis").hasValue(1);
  }

  @Test
  void afterLostContactWhatTheNodeRememberedIsNotTrusted() {
    TagVersions versions = versions(10);
    versions.epoch();
    invalidate("a", versions);
    versions.forget();
    invalidate("a", null); // missed: a is at 2 now, the node heard 1
    assertThat(versions.isCurrent(List.of("a"), 1)).as("judged by Redis, not by the 1 it heard")
        .isFalse();
    assertThat(versions.epoch()).isEqualTo(2);
  }
}
