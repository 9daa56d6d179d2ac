package io.nearcache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.cache.Cache;
import org.springframework.cache.transaction.TransactionAwareCacheDecorator;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Under Spring's {@link TransactionAwareCacheDecorator} (given to the manager as its decorator),
 * {@code put}, {@code evict} and {@code clear} wait for the commit and vanish on rollback, while
 * {@code evictIfPresent}, {@code invalidate} and {@code putIfAbsent} act at once; a transaction
 * manager without any resource drives the real synchronization lifecycle.
 */
@ExtendWith(RedisServerExtension.class)
class TransactionAwareTest {
  private static final String NAME = "product";
  private static final Duration PROPAGATION = Duration.ofSeconds(5);

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void evictClearAndPutWaitForTheCommit(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = transactional(redis, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      assertThat(a).isInstanceOf(TransactionAwareCacheDecorator.class);
      a.put("evicted", Product.of(1));
      a.put("cleared", Product.of(2));
      assertThat(b.get("evicted", Product.class)).isEqualTo(Product.of(1));

      transactions().executeWithoutResult(status -> {
        a.evict("evicted");
        assertThat(a.get("evicted", Product.class)).as("evict waits").isEqualTo(Product.of(1));
        a.clear();
        assertThat(a.get("cleared", Product.class)).as("clear waits").isEqualTo(Product.of(2));
        a.put("put", Product.of(3));
        assertThat(a.get("put")).as("put waits").isNull();
        assertThat(b.get("evicted", Product.class)).isEqualTo(Product.of(1));
      });

      assertThat(a.get("evicted")).isNull();
      assertThat(a.get("cleared")).isNull();
      // Deferred in the order given: the put follows the clear.
      assertThat(a.get("put", Product.class)).isEqualTo(Product.of(3));
      await().atMost(PROPAGATION).until(() -> b.get("evicted") == null);
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void aRollbackDropsTheDeferredEvict(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = transactional(redis, kind)) {
      Cache a = nodes.cache(0, NAME);
      a.put("1", Product.of(1));

      transactions().executeWithoutResult(status -> {
        a.evict("1");
        a.clear();
        status.setRollbackOnly();
      });

      assertThat(a.get("1", Product.class)).isEqualTo(Product.of(1));
    }
  }

  @ParameterizedTest
  @EnumSource(SerializerKind.class)
  void evictIfPresentInvalidateAndPutIfAbsentActAtOnce(SerializerKind kind, RedisServer redis) {
    try (Nodes nodes = transactional(redis, kind)) {
      Cache a = nodes.cache(0, NAME);
      Cache b = nodes.cache(1, NAME);
      a.put("1", Product.of(1));
      a.put("2", Product.of(2));
      assertThat(b.get("1", Product.class)).isEqualTo(Product.of(1));

      transactions().executeWithoutResult(status -> {
        assertThat(a.evictIfPresent("1")).isTrue();
        assertThat(a.get("1")).isNull();
        await().atMost(PROPAGATION).until(() -> b.get("1") == null);
        assertThat(a.invalidate()).isFalse();
        assertThat(a.get("2")).isNull();
        assertThat(a.putIfAbsent("3", Product.of(3))).isNull();
        // b reads the new generation once the invalidation reached it.
        await().atMost(PROPAGATION).until(() -> Product.of(3).equals(b.get("3", Product.class)));
        status.setRollbackOnly();
      });

      assertThat(a.get("3", Product.class)).as("not undone by the rollback")
          .isEqualTo(Product.of(3));
    }
  }

  private static Nodes transactional(RedisServer redis, SerializerKind kind) {
    return new Nodes(redis, 2, b -> b.defaultSpec(Nodes.LONG_LIVED)
        .defaultSerializer(kind.create()).decorator(TransactionAwareCacheDecorator::new));
  }

  private static TransactionTemplate transactions() {
    return new TransactionTemplate(new NoResourceTransactionManager());
  }

  /** A transaction manager with no resource: begin, commit and rollback do nothing. */
  private static final class NoResourceTransactionManager
      extends AbstractPlatformTransactionManager {
    private static final long serialVersionUID = 1L;

    @Override
    protected Object doGetTransaction() {
      return new Object();
    }

    @Override
    protected void doBegin(Object transaction, TransactionDefinition definition) {}

    @Override
    protected void doCommit(DefaultTransactionStatus status) {}

    @Override
    protected void doRollback(DefaultTransactionStatus status) {}
  }
}
