package io.nearcache;

/**
 * Thrown by a write ({@link NearCache#put}, {@link NearCache#invalidate}, {@link
 * NearCache#invalidateAll}) that could not reach Redis. The cause is the Redis client's exception.
 * Reads never throw it: a read that cannot reach Redis goes on to the loader.
 */
public class NearCacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what could not be done, naming the cache and key
   * @param cause the Redis client's exception
   */
  public NearCacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
