package io.nearcache.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Prints an {@link InvalidNearCacheConfigurationException} found anywhere in a start failure as
 * Boot's "APPLICATION FAILED TO START" report: what is wrong, and what to change.
 */
public final class NearCacheFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidNearCacheConfigurationException> {
  /** For Spring Boot, which finds it in {@code META-INF/spring.factories}. */
  public NearCacheFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable root, InvalidNearCacheConfigurationException cause) {
    return new FailureAnalysis(cause.description(), cause.action(), cause);
  }
}
