package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CacheSpecTest {

  @Test
  void parsesTheSeedsTtlTableEntries() {
    CacheSpec spec = CacheSpec.parse(" localMaxSize = 10000 , localTtl=30s,remoteTtl=5m");
    assertThat(spec.localMaxSize()).isEqualTo(10_000);
    assertThat(spec.localTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.remoteTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(CacheSpec.parse("remoteTtl=1800s").remoteTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(CacheSpec.parse("remoteTtl=PT1H").remoteTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(CacheSpec.parse("localTtl=250ms").localTtl()).isEqualTo(Duration.ofMillis(250));
    assertThat(CacheSpec.parse("localMaxBytes=64MB").localMaxBytes()).isEqualTo(64L << 20);
    assertThat(CacheSpec.parse("localMaxBytes=64MB").localMaxSize()).isEqualTo(-1);
    assertThat(CacheSpec.parse("recordStats=false").recordStats()).isFalse();
  }

  @Test
  void unsetOptionsTakeTheDefaults() {
    CacheSpec spec = CacheSpec.parse("");
    assertThat(spec).isEqualTo(CacheSpec.defaults());
    assertThat(spec.localMaxSize()).isEqualTo(CacheSpec.DEFAULT_LOCAL_MAX_SIZE);
    assertThat(spec.localMaxBytes()).isEqualTo(-1);
    assertThat(spec.localTtl()).isEqualTo(CacheSpec.DEFAULT_LOCAL_TTL);
    assertThat(spec.remoteTtl()).isEqualTo(CacheSpec.DEFAULT_REMOTE_TTL);
    assertThat(spec.maxValueBytes()).isEqualTo(CacheSpec.DEFAULT_MAX_VALUE_BYTES);
    assertThat(spec.recordStats()).isTrue();
    assertThat(spec.nullTtl()).isEqualTo(Duration.ZERO);
    assertThat(spec.leaseTimeout()).isEqualTo(CacheSpec.DEFAULT_LEASE_TIMEOUT);
    assertThat(spec.refreshAfter()).isEqualTo(Duration.ZERO);
    assertThat(spec.staleIfError()).isEqualTo(Duration.ZERO);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "localMaxSize=0", "localMaxBytes=1", "localTtl=1d,remoteTtl=90m",
      "localTtl=PT0.0005S", "localTtl=1500ms,remoteTtl=61s,maxValueBytes=512kb,recordStats=false",
      "nullTtl=30s,leaseTimeout=750ms", "nullTtl=0s",
      "localTtl=1s,remoteTtl=1s,refreshAfter=700ms,staleIfError=10m"})
  void toStringParsesBackToAnEqualSpec(String text) {
    CacheSpec spec = CacheSpec.parse(text);
    assertThat(CacheSpec.parse(spec.toString())).isEqualTo(spec).hasSameHashCodeAs(spec);
  }

  @Test
  void theBuilderAndTheParserAgree() {
    CacheSpec built = CacheSpec.builder().localMaxBytes(1 << 20).localTtl(Duration.ofSeconds(60))
        .remoteTtl(Duration.ofMinutes(10)).maxValueBytes(4096).recordStats(false).build();
    assertThat(built).isEqualTo(CacheSpec.parse(
        "localMaxBytes=1mb,localTtl=60s,remoteTtl=10m,maxValueBytes=4kb,recordStats=false"));
    assertThat(built.toString()).isEqualTo("localMaxBytes=1048576,localTtl=1m,remoteTtl=10m,"
        + "maxValueBytes=4096,recordStats=false,nullTtl=0s,leaseTimeout=5s");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "localTtl=30x | localTtl: \"30x\" is not a duration; use 500ms, 30s, 5m, 1h, 1d or ISO-8601 (PT30S)",
      "localTtl=P1Q | localTtl: \"P1Q\" is not a duration; use 500ms, 30s, 5m, 1h, 1d or ISO-8601 (PT30S)",
      "localTtl=0s | localTtl <= 0: PT0S",
      "remoteTtl=PT0.0001S | remoteTtl < 1ms: PT0.0001S",
      "localMaxSize=ten | localMaxSize: \"ten\" is not a whole number",
      "localMaxSize=-1 | localMaxSize < 0: -1",
      "localMaxBytes=12tb | localMaxBytes: \"12tb\" is not a size; use a number of bytes or 512kb, 64mb, 1gb",
      "maxValueBytes=0 | maxValueBytes < 1: 0",
      "recordStats=yes | recordStats: \"yes\" is not a boolean; use true or false",
      "nullTtl=PT0.0001S | nullTtl must be 0 or at least 1ms: PT0.0001S",
      "leaseTimeout=0ms | leaseTimeout <= 0: PT0S",
      "refreshAfter=30s | refreshAfter (30s) must be shorter than localTtl (30s) and remoteTtl (5m) in \"refreshAfter=30s\"",
      "localTtl=1h,refreshAfter=5m | refreshAfter (5m) must be shorter than localTtl (1h) and remoteTtl (5m) in \"localTtl=1h,refreshAfter=5m\"",
      "staleIfError=PT0.0001S | staleIfError must be 0 or at least 1ms: PT0.0001S",
      "localTtl | value of key localTtl was omitted in \"localTtl\"",
      "localTtl= | value of key localTtl was omitted in \"localTtl=\"",
      "localTtl=1s,localTtl=2s | key localTtl is repeated in \"localTtl=1s,localTtl=2s\"",
      "localTtl=1s,,remoteTtl=2s | empty option in \"localTtl=1s,,remoteTtl=2s\"",
      "ttl=1s | unknown key 'ttl' in \"ttl=1s\"; known keys: localMaxSize, localMaxBytes, localTtl, remoteTtl, maxValueBytes, recordStats, nullTtl, leaseTimeout, refreshAfter, staleIfError",
      "localMaxSize=1,localMaxBytes=1 | localMaxSize and localMaxBytes cannot both be set; use one in \"localMaxSize=1,localMaxBytes=1\""})
  void malformedSpecsFailNamingKeyValueAndExpectation(String spec, String message) {
    assertThatThrownBy(() -> CacheSpec.parse(spec)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void malformedNumbersKeepTheirCause() {
    assertThatThrownBy(() -> CacheSpec.parse("localMaxSize=1e3"))
        .hasCauseInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> CacheSpec.parse("maxValueBytes=4gb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxValueBytes: \"4gb\" is more than 2147483647 bytes");
  }

  @Test
  void theBuilderRefusesRepeatsAndConflictsWithStateErrors() {
    assertThatThrownBy(() -> CacheSpec.builder().localTtl(Duration.ofSeconds(1))
        .localTtl(Duration.ofSeconds(2))).isInstanceOf(IllegalStateException.class)
        .hasMessage("localTtl was already set to PT1S");
    assertThatThrownBy(() -> CacheSpec.builder().localMaxSize(1).localMaxBytes(1).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("localMaxSize and localMaxBytes cannot both be set; use one");
    assertThatThrownBy(() -> CacheSpec.builder().localTtl(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("localTtl <= 0: PT-1S");
    assertThatThrownBy(() -> CacheSpec.builder().remoteTtl(null))
        .isInstanceOf(NullPointerException.class).hasMessage("remoteTtl");
  }
}
