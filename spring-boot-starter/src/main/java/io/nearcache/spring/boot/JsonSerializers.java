package io.nearcache.spring.boot;

import io.nearcache.Serializer;
import io.nearcache.serializers.JacksonJsonSerializer;

/**
 * Makes JSON serializers; a class of its own, loaded only once nearcache-serializers is known to
 * be on the classpath.
 */
final class JsonSerializers {
  private JsonSerializers() {}

  /** A JSON serializer of {@code type}, with nearcache's default mapper (Jackson 2). */
  static <T> Serializer<T> of(Class<T> type) {
    return new JacksonJsonSerializer<>(type);
  }
}
