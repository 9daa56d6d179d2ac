package io.nearcache.example.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nearcache.NearCacheClient;
import io.nearcache.example.modular.ModularApp.Read;
import io.nearcache.serializers.KryoSerializer;
import io.nearcache.testkit.RedisServer;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs on the module path (surefire's module mode, set in this module's pom): the example module
 * uses nearcache's API, and nothing outside nearcache can compile against its internal packages.
 */
class ModulePathTest {

  @Test
  void valuesRoundTripThroughRedisWithBothSerializers() {
    try (RedisServer redis = RedisServer.start()) {
      Map<String, Read<?>> reads = ModularApp.roundTrips(redis.uri());
      assertEquals(List.of("product-json", "product-kryo", "stock-kryo"),
          List.copyOf(reads.keySet()));
      assertEquals(List.of(ModularApp.product(), ModularApp.product(), ModularApp.stock()),
          reads.values().stream().map(Read::value).toList());
      for (Read<?> read : reads.values()) {
        // The reading client's L1 was empty: the value came from Redis, not from memory.
        assertEquals(1, read.stats().l2Hits(), read.stats()::toString);
        assertEquals(0, read.stats().loadCount(), read.stats()::toString);
      }
    }
  }

  /**
   * Launches the example as an application would: {@code java -p <its runtime dependencies> -m
   * io.nearcache.example.modular/...}, every jar on the module path and none on the class path
   * (unlike surefire, which leaves the jars no module requires on the class path).
   */
  @Test
  void launchesWithJavaDashM() throws IOException, InterruptedException {
    Path dependencies = Path.of("target", "runtime-module-path.txt");
    assertTrue(Files.isRegularFile(dependencies), dependencies + " is missing: run through Maven");
    String modulePath = location(ModularApp.class.getModule()) + File.pathSeparator
        + Files.readString(dependencies).strip();
    Path output = Path.of("target", "java-m-output.txt");
    try (RedisServer redis = RedisServer.start()) {
      Process java = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-p", modulePath,
          "-m", "io.nearcache.example.modular/io.nearcache.example.modular.ModularApp",
          redis.uri())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      java.getOutputStream().close();
      boolean ended = java.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        java.destroyForcibly().waitFor();
      }
      String out = Files.readString(output, StandardCharsets.UTF_8);
      assertTrue(ended, "java -m did not end within 60 s:\n" + out);
      System.out.println("java -m io.nearcache.example.modular:\n" + out);
      assertEquals(0, java.exitValue(), out);
      assertTrue(out.contains("product-json: Read[value=" + ModularApp.product()
          + ", stats=CacheStats{l1Hits=0, l1Misses=1, l2Hits=1,"), out);
      assertTrue(out.contains("product-kryo: Read[value=" + ModularApp.product()
          + ", stats=CacheStats{l1Hits=0, l1Misses=1, l2Hits=1,"), out);
      assertTrue(out.contains("stock-kryo: Read[value=" + ModularApp.stock()
          + ", stats=CacheStats{l1Hits=0, l1Misses=1, l2Hits=1,"), out);
    }
  }

  @Test
  void runsAsNamedModules() {
    Module example = ModularApp.class.getModule();
    assertTrue(example.isNamed(), "the example is not in a named module: not on the module path");
    assertEquals("io.nearcache.example.modular", example.getName());
    assertEquals(example, getClass().getModule(), "the test is patched into the example module");
    assertEquals("io.nearcache.serializers", KryoSerializer.class.getModule().getName());
    assertTrue(example.canRead(NearCacheClient.class.getModule()));
    assertNotNull(System.getProperty("jdk.module.path"), "no module path");
  }

  @Test
  void coreExportsOnlyTheApiPackage() {
    Module core = NearCacheClient.class.getModule();
    assertEquals("io.nearcache", core.getName());
    ModuleDescriptor descriptor = core.getDescriptor();
    assertFalse(descriptor.isAutomatic(), "io.nearcache has no module-info");
    assertFalse(descriptor.isOpen());
    Set<String> exported = descriptor.exports().stream()
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    assertEquals(Set.of("io.nearcache"), exported);
    assertTrue(descriptor.opens().isEmpty(), descriptor.opens()::toString);
    Set<String> internal = descriptor.packages().stream()
        .filter(p -> p.startsWith("io.nearcache.internal")).collect(Collectors.toSet());
    assertTrue(internal.contains("io.nearcache.internal"), descriptor.packages()::toString);
    for (String p : internal) {
      assertFalse(core.isExported(p), p);
      assertFalse(core.isExported(p, ModularApp.class.getModule()), p);
    }
  }

  @Test
  void importingInternalFailsToCompile(@TempDir Path dir) throws IOException {
    Compilation bad = compile(dir.resolve("bad"), """
        package demo.user;

        import io.nearcache.internal.DefaultNearCache;

        public class Uses {
          public static String name(DefaultNearCache<String, String> cache) {
            return cache.name();
          }
        }
        """);
    System.out.println("javac, importing io.nearcache.internal:\n" + bad);
    assertFalse(bad.succeeded(), "compiled against io.nearcache.internal:\n" + bad);
    assertTrue(bad.errors().stream().anyMatch(d -> d.getCode().equals(
        "compiler.err.package.not.visible")), bad::toString);
    assertTrue(bad.toString().contains("package io.nearcache.internal is declared in module"
        + " io.nearcache, which does not export it"), bad::toString);
  }

  @Test
  void theSameModuleUsingTheApiCompiles(@TempDir Path dir) throws IOException {
    Compilation good = compile(dir.resolve("good"), """
        package demo.user;

        import io.nearcache.CacheSpec;
        import io.nearcache.NearCache;
        import io.nearcache.NearCacheClient;
        import io.nearcache.Serializer;
        import java.nio.charset.StandardCharsets;

        public class Uses {
          public static NearCache<String, String> cache(String redisUri) {
            NearCacheClient client = NearCacheClient.builder().redisUri(redisUri)
                .keyPrefix("demo").build();
            Serializer<String> utf8 = new Serializer<>() {
              @Override public byte[] serialize(String value) {
                return value.getBytes(StandardCharsets.UTF_8);
              }
              @Override public String deserialize(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
              }
            };
            return client.cache("names", CacheSpec.defaults(), utf8);
          }
        }
        """);
    assertTrue(good.succeeded(), good::toString);
    assertTrue(Files.isRegularFile(dir.resolve("good/classes/module-info.class")));
    assertTrue(Files.isRegularFile(dir.resolve("good/classes/demo/user/Uses.class")));
  }

  /** Where a module of the boot layer was loaded from: its jar or classes directory. */
  private static Path location(Module module) {
    return Path.of(module.getLayer().configuration().findModule(module.getName()).orElseThrow()
        .reference().location().orElseThrow());
  }

  /** The outcome of one javac run. */
  private record Compilation(boolean succeeded, List<Diagnostic<? extends JavaFileObject>> all) {
    List<Diagnostic<? extends JavaFileObject>> errors() {
      return all.stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
    }

    @Override
    public String toString() {
      return all.stream().map(d -> d.getKind() + " " + d.getCode() + ": "
          + d.getMessage(Locale.ROOT)).collect(Collectors.joining("\n"));
    }
  }

  /**
   * Compiles module {@code demo.user}, which requires {@code io.nearcache}, with one class, against
   * the module path this test runs on (nearcache's real classes and their dependencies).
   */
  private static Compilation compile(Path dir, String source) throws IOException {
    Path src = dir.resolve("src");
    Path classes = dir.resolve("classes");
    Files.createDirectories(src.resolve("demo/user"));
    Files.createDirectories(classes);
    Path moduleInfo = Files.writeString(src.resolve("module-info.java"),
        "module demo.user {\n  requires io.nearcache;\n}\n");
    Path uses = Files.writeString(src.resolve("demo/user/Uses.java"), source);

    // The module path this JVM was started with; it holds nearcache-core (its jar, or its
    // target/classes in a reactor build) and the modules it requires.
    String modulePath = System.getProperty("jdk.module.path");
    assertNotNull(modulePath, "no module path");
    Path core = location(NearCacheClient.class.getModule());
    assertTrue(Stream.of(modulePath.split(File.pathSeparator)).map(Path::of)
        .anyMatch(core::equals), "io.nearcache (" + core + ") is not on " + modulePath);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "no system Java compiler: run the tests on a JDK");
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        null)) {
      List<String> options = List.of("--release", "17", "-proc:none", "--module-path",
          modulePath, "-d", classes.toString());
      boolean ok = javac.getTask(null, files, diagnostics, options, null,
          files.getJavaFileObjects(moduleInfo, uses)).call();
      return new Compilation(ok, diagnostics.getDiagnostics());
    }
  }
}
