package io.nearcache;

/**
 * Thrown by a {@link Serializer} that cannot encode a value or decode bytes.
 *
 * <p>The message says what was being encoded or decoded and why it failed; the underlying library's
 * exception, if any, is kept as the cause.
 */
public class SerializationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what failed and why
   */
  public SerializationException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying cause.
   *
   * @param message what failed and why
   * @param cause the serialization library's exception
   */
  public SerializationException(String message, Throwable cause) {
    super(message, cause);
  }
}
