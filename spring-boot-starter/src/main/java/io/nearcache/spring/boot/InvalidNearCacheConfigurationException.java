package io.nearcache.spring.boot;

/**
 * The application's nearcache configuration cannot work: a property is missing or wrong, or the
 * classpath lacks what nearcache needs. Thrown while the context starts, so the application does
 * not start; {@link NearCacheFailureAnalyzer} prints its description and the action to take.
 */
public final class InvalidNearCacheConfigurationException extends IllegalStateException {
  /** What is wrong, naming the property or class. */
  private final String description;
  /** What to change. */
  private final String action;

  /**
   * Creates one.
   *
   * @param description what is wrong, naming the property or class
   * @param action what to change
   */
  public InvalidNearCacheConfigurationException(String description, String action) {
    super(description + " " + action);
    this.description = description;
    this.action = action;
  }

  /**
   * Creates one that keeps the failure it was found by.
   *
   * @param description what is wrong, naming the property or class
   * @param action what to change
   * @param cause the failure found
   */
  public InvalidNearCacheConfigurationException(String description, String action,
      Throwable cause) {
    super(description + " " + action, cause);
    this.description = description;
    this.action = action;
  }

  /**
   * What is wrong.
   *
   * @return the description, naming the property or class
   */
  public String description() {
    return description;
  }

  /**
   * What to change.
   *
   * @return the action
   */
  public String action() {
    return action;
  }
}
