package io.nearcache.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nearcache.CacheStats;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's demo runs and shows what it says it shows. */
@ExtendWith(RedisServerExtension.class)
class DemoTest {

  @Test
  void theDemoFillsL2ServesL1HitsAndPropagatesAWrite(RedisServer redis) {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    List<CacheStats> stats =
        new Demo(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(redis.uri());
    String text = printed.toString(StandardCharsets.UTF_8);

    assertThat(text).contains("node-0 got 42 Trail running shoe at 89.90 EUR")
        .contains("node-1 got 42 Trail running shoe at 69.90 EUR")
        .contains("node-2 got 42 Trail running shoe at 69.90 EUR")
        .contains("database reads in all: 1 (of");
    assertThat(stats.get(0).loadCount()).isEqualTo(1);
    assertThat(stats.get(1).l2Hits()).as("first read and the read after the write").isEqualTo(2);
    assertThat(stats.get(2).l1Hits()).isGreaterThanOrEqualTo(1000);
  }
}
