package io.nearcache.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives each test its own {@link RedisServer}.
 *
 * <pre>{@code
 * @ExtendWith(RedisServerExtension.class)
 * class FooTest {
 *   @Test
 *   void survivesRestart(RedisServer redis) { ... }
 * }
 * }</pre>
 *
 * <p>A {@code RedisServer} parameter of a {@code @Test}, {@code @BeforeEach} or {@code @AfterEach}
 * method receives a server started for the current test; every such parameter within one test
 * gets the same instance. The server starts on first request, so tests that ask for none start
 * none, and is closed (process stopped, directory deleted) after the test's {@code @AfterEach}
 * methods. Constructor and {@code @BeforeAll} parameters are rejected: for a server shared by a
 * class, call {@link RedisServer#start(String...)} in {@code @BeforeAll}.
 */
public final class RedisServerExtension implements ParameterResolver, AfterEachCallback {

  private static final Namespace NAMESPACE = Namespace.create(RedisServerExtension.class);

  /** Creates the extension; JUnit does this for {@code @ExtendWith}. */
  public RedisServerExtension() {}

  /** Supports exactly the parameters of type {@link RedisServer}. */
  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    return parameterContext.getParameter().getType() == RedisServer.class;
  }

  /**
   * Returns the current test's server, starting it on first request.
   *
   * @throws ParameterResolutionException if the parameter is not declared by a method that runs
   *     for a single test, or the server fails to start (the cause says why)
   */
  @Override
  public RedisServer resolveParameter(ParameterContext parameterContext,
      ExtensionContext context) {
    if (context.getTestMethod().isEmpty()) {
      throw new ParameterResolutionException("RedisServer can be injected only into @Test,"
          + " @BeforeEach and @AfterEach methods, not into "
          + parameterContext.getDeclaringExecutable()
          + "; for a server shared by a class call RedisServer.start() in @BeforeAll");
    }
    // The store also closes the server (it is AutoCloseable) if afterEach never runs.
    return context.getStore(NAMESPACE)
        .getOrComputeIfAbsent(RedisServer.class, key -> RedisServer.start(), RedisServer.class);
  }

  /** Closes the current test's server, if one was started. */
  @Override
  public void afterEach(ExtensionContext context) {
    RedisServer server = context.getStore(NAMESPACE).remove(RedisServer.class, RedisServer.class);
    if (server != null) {
      server.close();
    }
  }
}
