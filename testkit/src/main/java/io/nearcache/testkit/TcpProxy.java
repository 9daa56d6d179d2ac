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
 * {@link #restore}, or {@link #freeze} and {@link #thaw}: the way to break or silence one
 * client's link to Redis while others keep theirs.
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
  private final Object thaw = new Object();
  private volatile boolean cut;
  private volatile boolean frozen;

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    daemon(this::accept).start();
  }

  /**
   * Starts a proxy to {@code host:port}.
   *
   * @param host the server's host name or address
   * @param port the server's port
   * @return the running proxy; close it to stop it
   * @throws IllegalStateException if no local port could be opened
   */
  public static TcpProxy to(String host, int port) {
    try {
      return new TcpProxy(host, port);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a proxy port", e);
    }
  }

  /**
   * The proxy's port on 127.0.0.1.
   *
   * @return the local port clients connect to
   */
  public int port() {
    return server.getLocalPort();
  }

  /**
   * {@code redis://127.0.0.1:<port>}: a Redis URI through this proxy.
   *
   * @return the URI
   */
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

  /**
   * Stops forwarding bytes but keeps every connection open: a peer that went silent without a
   * word, as a network partition or a hung server looks. Nothing on either side notices by itself.
   */
  public void freeze() {
    frozen = true;
  }

  /** Forwards bytes again, the held ones first. */
  public void thaw() {
    synchronized (thaw) {
      frozen = false;
      thaw.notifyAll();
    }
  }

  @Override
  public void close() {
    thaw();
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
        awaitThaw();
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

  private void awaitThaw() throws IOException {
    synchronized (thaw) {
      while (frozen) {
        try {
          thaw.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while frozen", e);
        }
      }
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
