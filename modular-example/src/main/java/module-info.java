/**
 * An application module using nearcache on the module path: it requires the API module and the
 * serializers, and opens the package of its cached values to the libraries that build them by
 * reflection.
 */
module io.nearcache.example.modular {
  requires io.nearcache;
  requires io.nearcache.serializers;

  // Jackson creates and reads records through their constructor and accessors.
  // Kryo, and nearcache's KryoSerializer (which picks a constructor), do the same by reflection.
  opens io.nearcache.example.modular.catalog
      to com.fasterxml.jackson.databind, com.esotericsoftware.kryo, io.nearcache.serializers;
}
