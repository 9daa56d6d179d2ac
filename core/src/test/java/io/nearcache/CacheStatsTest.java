package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CacheStatsTest {

  @Test
  void ratiosHaveAStatedZeroCase() {
    CacheStats empty = CacheStats.empty();
    assertThat(empty.l1HitRate()).isEqualTo(1.0);
    assertThat(empty.l2HitRate()).isEqualTo(1.0);
    assertThat(empty.hitRate()).isEqualTo(1.0);
    assertThat(empty.averageLoadPenaltyNanos()).isEqualTo(0.0);
  }

  @Test
  void derivedValuesComeFromTheCounts() {
    CacheStats stats = CacheStats.of(6, 4, 3, 1, 1, 1, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(stats.l1Requests()).isEqualTo(10);
    assertThat(stats.l1HitRate()).isEqualTo(0.6);
    assertThat(stats.l2Requests()).isEqualTo(4);
    assertThat(stats.l2HitRate()).isEqualTo(0.75);
    assertThat(stats.hitRate()).isEqualTo(0.9);
    assertThat(stats.loadCount()).isEqualTo(2);
    assertThat(stats.averageLoadPenaltyNanos()).isEqualTo(50.0);
  }

  @Test
  void plusSaturatesAndMinusClamps() {
    CacheStats big =
        CacheStats.of(Long.MAX_VALUE - 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    CacheStats more = CacheStats.of(5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(big.plus(more).l1Hits()).isEqualTo(Long.MAX_VALUE);
    assertThat(big.plus(more).l1Requests()).isEqualTo(Long.MAX_VALUE);
    CacheStats later = CacheStats.of(10, 5, 2, 3, 1, 0, 9, 1, 2, 3, 4, 1, 0, 0, 7, 2, 5, 1, 3);
    CacheStats earlier = CacheStats.of(4, 7, 1, 1, 0, 0, 4, 0, 0, 1, 1, 2, 0, 0, 3, 3, 2, 2, 1);
    assertThat(later.minus(earlier))
        .isEqualTo(CacheStats.of(6, 0, 1, 2, 1, 0, 5, 1, 2, 2, 3, 0, 0, 0, 4, 0, 3, 0, 2));
  }

  @Test
  void negativeCountsAreRejectedByName() {
    assertThatThrownBy(
        () -> CacheStats.of(0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("redisErrors < 0: -1");
  }
}
