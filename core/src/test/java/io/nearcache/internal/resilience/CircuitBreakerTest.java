package io.nearcache.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** The state machine alone; OutageTest shows it against a paused and a killed Redis. */
class CircuitBreakerTest {
  private final AtomicInteger openings = new AtomicInteger();
  private final CircuitBreaker breaker =
      new CircuitBreaker("test", 3, Duration.ofMillis(100), openings::incrementAndGet);
  private final AtomicInteger calls = new AtomicInteger();

  private String failing() {
    calls.incrementAndGet();
    throw new JedisConnectionException("connection refused");
  }

  private String answering() {
    calls.incrementAndGet();
    return "PONG";
  }

  @Test
  void opensAfterConsecutiveFailuresAndRefusesWithoutCalling() {
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> breaker.call(this::failing))
          .isInstanceOf(JedisConnectionException.class);
    }
    assertThat(breaker.isOpen()).isTrue();
    assertThat(openings).hasValue(1);
    assertThatThrownBy(() -> breaker.call(this::answering))
        .isInstanceOf(CircuitBreaker.OpenException.class);
    assertThat(calls).as("the refused call never ran").hasValue(3);
  }

  @Test
  void aSuccessfulProbeAfterTheCoolDownCloses() {
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> breaker.call(this::failing));
    }
    await().atMost(Duration.ofSeconds(2)).until(() -> {
      try {
        return "PONG".equals(breaker.call(this::answering));
      } catch (CircuitBreaker.OpenException stillCooling) {
        return false;
      }
    });
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.call(this::answering)).isEqualTo("PONG");
  }

  @Test
  void aFailedProbeOpensItAgainAndErrorRepliesAreNoFailures() {
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> breaker.call(this::failing));
    }
    await().atMost(Duration.ofSeconds(2)).until(() -> {
      try {
        breaker.call(this::failing);
        return false;
      } catch (CircuitBreaker.OpenException stillCooling) {
        return false;
      } catch (JedisConnectionException probeFailed) {
        return true;
      }
    });
    assertThat(breaker.isOpen()).isTrue();
    assertThat(openings).as("reopening is not a new opening").hasValue(1);

    CircuitBreaker fresh = new CircuitBreaker("data", 1, Duration.ofSeconds(1), () -> { });
    assertThatThrownBy(() -> fresh.call(() -> {
      throw new JedisDataException("WRONGTYPE");
    })).isInstanceOf(JedisDataException.class);
    assertThat(fresh.isOpen()).as("an error reply proves Redis up").isFalse();
  }
}
