/**
 * The Kryo and Jackson JSON implementations of nearcache's {@code Serializer}: {@code
 * io.nearcache.serializers.KryoSerializer} and {@code
 * io.nearcache.serializers.JacksonJsonSerializer}.
 *
 * <p>Both create and fill the application's value objects by reflection. A named module that
 * caches its own types must open the packages holding them: to {@code com.esotericsoftware.kryo}
 * and {@code io.nearcache.serializers} for Kryo, to {@code com.fasterxml.jackson.databind} for
 * JSON.
 */
module io.nearcache.serializers {
  requires transitive io.nearcache;
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires com.esotericsoftware.kryo;
  requires org.objenesis;
  // Objenesis (an automatic module, which cannot say so itself) creates instances of classes
  // without a no-arg constructor through sun.reflect.ReflectionFactory; without this, a
  // module-path launch (java -m) does not resolve jdk.unsupported and Kryo fails on such classes.
  requires jdk.unsupported;
  requires org.slf4j;

  exports io.nearcache.serializers;
}
