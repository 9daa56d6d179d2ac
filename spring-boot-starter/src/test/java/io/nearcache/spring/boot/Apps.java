package io.nearcache.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts Spring Boot applications as app nodes: no web server, no banner. */
final class Apps {
  private Apps() {}

  /**
   * Runs {@code sources} with {@code properties} ("key=value" pairs, which win over any other
   * property source) and the given singletons registered before the refresh.
   */
  static ConfigurableApplicationContext run(Class<?> source, Map<String, Object> singletons,
      String... properties) {
    return builder(source, singletons, properties).run();
  }

  static SpringApplicationBuilder builder(Class<?> source, Map<String, Object> singletons,
      String... properties) {
    Map<String, Object> props = new LinkedHashMap<>();
    for (String p : properties) {
      int eq = p.indexOf('=');
      props.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return new SpringApplicationBuilder(source)
        .web(WebApplicationType.NONE)
        .bannerMode(Banner.Mode.OFF)
        .logStartupInfo(false)
        .properties(props)
        .initializers(ctx -> singletons.forEach(ctx.getBeanFactory()::registerSingleton));
  }

  /** The cause chain of {@code e}, messages joined, to assert on what a failed start said. */
  static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
