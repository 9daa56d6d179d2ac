package io.nearcache.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on a free loopback port in front of one server, that a test can {@link #cut} and
 * {@link #restore}: the way to break one client's link to Redis while others keep theirs.
 *
 * <p>While cut, open connections are closed and new ones are accepted and closed at once, as a
 * peer that went away would look. Threads are daemons named {@code tcp-proxy-<port>}; {@link
 * #close()} stops them all.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    daemon(this::accept).start();
  }

  /**
   * Starts a proxy to {@code host:port}.
   *
   * @throws IllegalStateException if no local port could be opened
   */
  public static TcpProxy to(String host, int port) {
    try {
      return new TcpProxy(host, port);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a proxy port", e);
    }
  }

  /** The proxy's port on 127.0.0.1. */
  public int port() {
    return server.getLocalPort();
  }

  /** {@code redis://127.0.0.1:<port>}: a Redis URI through this proxy. */
  public String uri() {
    return "redis://127.0.0.1:" + port();
  }

  /** Closes every open connection and refuses new ones until {@link #restore}. */
  public void cut() {
    cut = true;
    sockets.forEach(TcpProxy::closeQuietly);
  }

  /** Accepts and forwards connections again. */
  public void restore() {
    cut = false;
  }

  @Override
  public void close() {
    cut();
    closeQuietly(server);
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cut) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket(targetHost, targetPort);
        sockets.add(client);
        sockets.add(upstream);
        daemon(() -> pump(client, upstream)).start();
        daemon(() -> pump(upstream, client)).start();
      } catch (IOException e) {
        log.debug("proxy {} cannot reach {}:{}", port(), targetHost, targetPort, e);
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      log.trace("proxy {} connection ended", port(), e);
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "tcp-proxy-" + server.getLocalPort());
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      log.trace("closing {} failed", closeable, e);
    }
  }
}
