package io.nearcache.examples.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.nearcache.examples.catalog.CatalogServer.Mode;
import org.junit.jupiter.api.Test;

/** The modes' names, as the command line and the benchmark's report spell them. */
class ModeTest {
  @Test
  void everyModeIsReadBackFromItsName() {
    assertThat(Mode.NEAR_ALL).hasToString("near-all");
    assertThat(Mode.of("near-all")).isEqualTo(Mode.NEAR_ALL);
    assertThat(Mode.of("NEAR")).isEqualTo(Mode.NEAR);
    for (Mode mode : Mode.values()) {
      assertThat(Mode.of(mode.toString())).isEqualTo(mode);
    }
  }
}
