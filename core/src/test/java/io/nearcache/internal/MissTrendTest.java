package io.nearcache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The trend takes the lease first after two misses in a row, and plain lookups after two hits. */
class MissTrendTest {
  private final MissTrend trend = new MissTrend();

  @Test
  void twoMissesInARowSwitchToTheLeaseAndTwoHitsBack() {
    assertThat(trend.mostlyMisses()).as("a new cache looks up plainly").isFalse();
    trend.miss();
    assertThat(trend.mostlyMisses()).isFalse();
    trend.miss();
    assertThat(trend.mostlyMisses()).isTrue();
    trend.hit();
    assertThat(trend.mostlyMisses()).isFalse();
    trend.miss();
    trend.hit();
    trend.hit();
    assertThat(trend.mostlyMisses()).isFalse();
  }

  @Test
  void aLongRunOfMissesIsForgottenAfterAFewHits() {
    for (int i = 0; i < 1_000; i++) {
      trend.miss();
    }
    trend.hit();
    assertThat(trend.mostlyMisses()).as("saturated: one hit leaves it at 2").isTrue();
    trend.hit();
    assertThat(trend.mostlyMisses()).isFalse();
  }
}
