package io.nearcache.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The public API of each published module is the one committed in its {@code api/public-api.txt}:
 * every public type of its API package, with its public fields, constructors and methods and
 * their generic signatures. That file is the compatibility line of the versioning policy
 * (docs/compatibility.md). A change to it is deliberate: rerun with {@code
 * -Dnearcache.api.update=true} to rewrite the files, and review their diff with the change.
 */
class PublicApiTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "core, io.nearcache.NearCache",
      "serializers, io.nearcache.serializers.KryoSerializer",
      "testkit, io.nearcache.testkit.RedisServer",
      "micrometer, io.nearcache.micrometer.NearCacheMetrics",
      "spring, io.nearcache.spring.NearCacheCacheManager",
      "spring-boot-starter, io.nearcache.spring.boot.NearCacheAutoConfiguration"})
  void thePublicApiIsTheCommittedOne(String module, Class<?> member) throws Exception {
    Path committed = Path.of("..", module, "api", "public-api.txt");
    String current = String.join("\n", describe(member)) + "\n";
    if (Boolean.getBoolean("nearcache.api.update")) {
      Files.createDirectories(committed.getParent());
      Files.writeString(committed, current, StandardCharsets.UTF_8);
    }
    assertThat(current)
        .as("the public API of %s changed; if that is intended, run this test with"
            + " -Dnearcache.api.update=true and commit %s", module, committed.normalize())
        .isEqualTo(Files.readString(committed, StandardCharsets.UTF_8));
  }

  /** Every public type of {@code member}'s package, as found in the jar or directory it is in. */
  private static List<String> describe(Class<?> member) throws IOException, URISyntaxException,
      ClassNotFoundException {
    String pkg = member.getPackageName();
    Path location = Path.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (FileSystem jar = Files.isDirectory(location) ? null
        : FileSystems.newFileSystem(location)) {
      Path classes = (jar == null ? location : jar.getPath("/")).resolve(pkg.replace('.', '/'));
      List<String> lines = new ArrayList<>();
      try (Stream<Path> files = Files.list(classes)) {
        for (Path file : files.sorted().toList()) {
          String name = file.getFileName().toString();
          if (!name.endsWith(".class") || name.equals("package-info.class")) {
            continue;
          }
          Class<?> type = Class.forName(pkg + "." + name.replace(".class", ""));
          if (!Modifier.isPublic(type.getModifiers()) || type.isSynthetic()) {
            continue;
          }
          lines.add(type.toGenericString());
          Stream.of(type.getDeclaredFields(), type.getDeclaredConstructors(),
                  type.getDeclaredMethods())
              .flatMap(Arrays::stream)
              .filter(m -> Modifier.isPublic(((Member) m).getModifiers())
                  && !((Member) m).isSynthetic())
              .map(m -> "  " + (m instanceof Field f ? f.toGenericString()
                  : ((Executable) m).toGenericString()))
              .sorted()
              .forEach(lines::add);
        }
      }
      return lines;
    }
  }
}
