package io.nearcache.spring;

import io.nearcache.Serializer;
import io.nearcache.serializers.JacksonJsonSerializer;
import io.nearcache.serializers.KryoSerializer;

/** Every serializer the project ships, each made as an application would make it. */
enum SerializerKind {
  KRYO {
    @Override
    Serializer<Product> create() {
      return KryoSerializer.<Product>builder(Product.class).build();
    }
  },
  JSON {
    @Override
    Serializer<Product> create() {
      return new JacksonJsonSerializer<>(Product.class);
    }
  };

  abstract Serializer<Product> create();
}
