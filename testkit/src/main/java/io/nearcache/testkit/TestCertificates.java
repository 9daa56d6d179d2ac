package io.nearcache.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * A throw-away certificate authority and the certificates it signed, written to a new temporary
 * directory, for {@link RedisServer}s that speak TLS ({@link ServerOptions#withTls}) and for the
 * Java clients that talk to them. Made in Java with BouncyCastle, so no {@code openssl} binary is
 * needed; all keys are EC P-256, all certificates valid from one hour before {@link #create()} for
 * two days.
 *
 * <ul>
 *   <li>{@link #caCertificate()}: the self-signed CA, PEM; Redis's {@code tls-ca-cert-file}.
 *   <li>{@link #server()}: a certificate for {@code IP:127.0.0.1} and {@code DNS:localhost}, good
 *       for both server and client authentication, since Redis also presents its
 *       {@code tls-cert-file} when it connects out (replication, cluster bus).
 *   <li>{@link #serverForOtherHost()}: signed by the same CA but naming only
 *       {@code DNS:other.invalid}, so a client that verifies host names rejects it on
 *       {@code 127.0.0.1} while one that checks only the CA accepts it.
 *   <li>{@link #client()}: a client certificate ({@code CN=nearcache-testkit-client}), for
 *       {@code tls-auth-clients yes}.
 * </ul>
 *
 * <p>Private keys are unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), which Redis (OpenSSL)
 * reads as {@code tls-key-file}. For Java there are PKCS#12 stores, all with the password
 * {@link #storePassword()}: {@link #trustStore()} holds the CA, {@link #clientKeyStore()} the
 * client key and its chain; and ready {@link SSLContext}s and Jedis {@link SslOptions} built from
 * them. Instances are immutable and thread-safe; {@link #close()} deletes the directory.
 */
public final class TestCertificates implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TestCertificates.class);

  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Duration VALIDITY = Duration.ofDays(2);
  private static final String OTHER_HOST = "other.invalid";

  /**
   * The PEM files of one certificate and its private key.
   *
   * @param certificate the certificate alone (not its chain), PEM {@code BEGIN CERTIFICATE}
   * @param privateKey its unencrypted private key, PKCS#8 PEM {@code BEGIN PRIVATE KEY}
   */
  public record CertificateFiles(Path certificate, Path privateKey) {

    /**
     * Creates the pair.
     *
     * @param certificate the certificate's PEM file
     * @param privateKey the private key's PEM file
     * @throws NullPointerException if either path is null
     */
    public CertificateFiles {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(privateKey, "privateKey");
    }
  }

  private final Path dir;
  private final Path caCertificate;
  private final CertificateFiles server;
  private final CertificateFiles serverForOtherHost;
  private final CertificateFiles client;
  private final Path trustStore;
  private final Path clientKeyStore;
  private final char[] storePassword;
  private final SSLContext sslContext;
  private final SSLContext clientSslContext;

  private TestCertificates(Path dir, Path caCertificate, CertificateFiles server,
      CertificateFiles serverForOtherHost, CertificateFiles client, Path trustStore,
      Path clientKeyStore, char[] storePassword, SSLContext sslContext,
      SSLContext clientSslContext) {
    this.dir = dir;
    this.caCertificate = caCertificate;
    this.server = server;
    this.serverForOtherHost = serverForOtherHost;
    this.client = client;
    this.trustStore = trustStore;
    this.clientKeyStore = clientKeyStore;
    this.storePassword = storePassword;
    this.sslContext = sslContext;
    this.clientSslContext = clientSslContext;
  }

  /**
   * Makes a new CA and its certificates in a new temporary directory. Takes some tens of
   * milliseconds; one instance can serve any number of servers, so a test class usually makes
   * one in {@code @BeforeAll}.
   *
   * @return the certificates; close them to delete the directory
   * @throws UncheckedIOException if the directory or a file cannot be written
   * @throws IllegalStateException if the JVM lacks EC keys, ECDSA signatures or PKCS#12
   */
  public static TestCertificates create() {
    Path dir;
    try {
      dir = Files.createTempDirectory("nearcache-tls-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for test certificates", e);
    }
    try {
      return create(dir);
    } catch (RuntimeException e) {
      ProcessDir.deleteTree(dir);
      throw e;
    }
  }

  private static TestCertificates create(Path dir) {
    try {
      SecureRandom random = new SecureRandom();
      Instant notBefore = Instant.now().minus(BACKDATE);
      Instant notAfter = notBefore.plus(VALIDITY);
      X500Name caName = new X500Name("CN=nearcache-testkit-ca");
      KeyPair caKeys = newKeyPair();
      X509Certificate ca = sign(caName, caKeys, caName, caKeys.getPublic(), null, notBefore,
          notAfter, random, Role.CA);
      KeyPair serverKeys = newKeyPair();
      X509Certificate serverCert = sign(caName, caKeys, new X500Name("CN=localhost"),
          serverKeys.getPublic(), new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")}),
          notBefore, notAfter, random, Role.SERVER);
      KeyPair otherKeys = newKeyPair();
      X509Certificate otherCert = sign(caName, caKeys, new X500Name("CN=" + OTHER_HOST),
          otherKeys.getPublic(), new GeneralNames(new GeneralName(GeneralName.dNSName,
              OTHER_HOST)), notBefore, notAfter, random, Role.SERVER);
      KeyPair clientKeys = newKeyPair();
      X509Certificate clientCert = sign(caName, caKeys,
          new X500Name("CN=nearcache-testkit-client"), clientKeys.getPublic(), null, notBefore,
          notAfter, random, Role.CLIENT);

      Path caFile = writePem(dir.resolve("ca.crt"), "CERTIFICATE", ca.getEncoded());
      CertificateFiles server = writePair(dir, "server", serverCert, serverKeys.getPrivate());
      CertificateFiles other = writePair(dir, "other-host", otherCert, otherKeys.getPrivate());
      CertificateFiles client = writePair(dir, "client", clientCert, clientKeys.getPrivate());

      char[] password = HexFormat.of().formatHex(randomBytes(random)).toCharArray();
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("nearcache-testkit-ca", ca);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("nearcache-testkit-client", clientKeys.getPrivate(), password,
          new Certificate[] {clientCert, ca});
      Path trustFile = store(trust, dir.resolve("truststore.p12"), password);
      Path keyFile = store(keys, dir.resolve("client-keystore.p12"), password);

      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      SSLContext plain = SSLContext.getInstance("TLS");
      plain.init(null, trustManagers.getTrustManagers(), null);
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);
      SSLContext withClientCert = SSLContext.getInstance("TLS");
      withClientCert.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
      LOG.debug("Made a test CA and certificates in {}", dir);
      return new TestCertificates(dir, caFile, server, other, client, trustFile, keyFile,
          password, plain, withClientCert);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make test certificates in " + dir, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write test certificates to " + dir, e);
    }
  }

  /**
   * Returns the directory holding every file; it exists until {@link #close()}.
   *
   * @return the directory
   */
  public Path dir() {
    return dir;
  }

  /**
   * Returns the CA certificate, PEM: what Redis's {@code tls-ca-cert-file} names.
   *
   * @return the CA certificate's file
   */
  public Path caCertificate() {
    return caCertificate;
  }

  /**
   * Returns the server certificate for {@code IP:127.0.0.1} and {@code DNS:localhost}, signed by
   * the CA, with extended key usages {@code serverAuth} and {@code clientAuth}: the one
   * {@link ServerOptions#withTls(TestCertificates)} gives Redis.
   *
   * @return the certificate and key files
   */
  public CertificateFiles server() {
    return server;
  }

  /**
   * Returns a server certificate signed by the same CA that names only
   * {@code DNS:other.invalid}: a client that verifies host names refuses it on
   * {@code 127.0.0.1}. Give it to Redis with
   * {@link ServerOptions#withTls(TestCertificates, CertificateFiles)}.
   *
   * @return the certificate and key files
   */
  public CertificateFiles serverForOtherHost() {
    return serverForOtherHost;
  }

  /**
   * Returns a client certificate ({@code CN=nearcache-testkit-client}, {@code clientAuth}) signed
   * by the CA, for servers started with {@code tls-auth-clients yes} or {@code optional}.
   *
   * @return the certificate and key files
   */
  public CertificateFiles client() {
    return client;
  }

  /**
   * Returns a PKCS#12 trust store holding the CA certificate alone.
   *
   * @return the store's file, whose password is {@link #storePassword()}
   */
  public Path trustStore() {
    return trustStore;
  }

  /**
   * Returns a PKCS#12 key store holding the {@link #client()} key and its chain up to the CA.
   *
   * @return the store's file, whose password is {@link #storePassword()}
   */
  public Path clientKeyStore() {
    return clientKeyStore;
  }

  /**
   * Returns the password of {@link #trustStore()}, {@link #clientKeyStore()} and the client key
   * inside it, a random one per instance; a new copy on every call.
   *
   * @return a copy of the password, the caller's to clear
   */
  public char[] storePassword() {
    return storePassword.clone();
  }

  /**
   * Returns a TLS context that trusts only the CA and presents no client certificate. Host names
   * are checked by whoever uses it, not by the context: Jedis does when given its
   * {@link SSLContext#getSocketFactory() socket factory} without {@code sslParameters}.
   *
   * @return the context, initialized
   */
  public SSLContext sslContext() {
    return sslContext;
  }

  /**
   * Returns a TLS context that trusts only the CA and presents the {@link #client()} certificate
   * when the server asks for one.
   *
   * @return the context, initialized
   */
  public SSLContext clientSslContext() {
    return clientSslContext;
  }

  /**
   * Returns the socket factory of {@link #sslContext()}.
   *
   * @return {@code sslContext().getSocketFactory()}
   */
  public SSLSocketFactory socketFactory() {
    return sslContext.getSocketFactory();
  }

  /**
   * Returns Jedis options that trust only the CA and verify the host name
   * ({@link SslVerifyMode#FULL}), for
   * {@code DefaultJedisClientConfig.builder().sslOptions(certs.sslOptions())}; Jedis then
   * connects over TLS without {@code ssl(true)}.
   *
   * @return new options
   */
  public SslOptions sslOptions() {
    return SslOptions.builder()
        .truststore(trustStore.toFile(), storePassword())
        .trustStoreType("PKCS12")
        .sslVerifyMode(SslVerifyMode.FULL)
        .build();
  }

  /**
   * Returns Jedis options as {@link #sslOptions()} that also present the {@link #client()}
   * certificate, for servers that require one.
   *
   * @return new options
   */
  public SslOptions clientSslOptions() {
    return SslOptions.builder()
        .truststore(trustStore.toFile(), storePassword())
        .trustStoreType("PKCS12")
        .keystore(clientKeyStore.toFile(), storePassword())
        .keyStoreType("PKCS12")
        .sslVerifyMode(SslVerifyMode.FULL)
        .build();
  }

  /**
   * Deletes the directory and every file in it. Idempotent; servers still using the files keep
   * running (Redis reads them at startup) but cannot {@link RedisServer#restart() restart}. A
   * directory that cannot be deleted is logged, not thrown.
   */
  @Override
  public void close() {
    ProcessDir.deleteTree(dir);
  }

  @Override
  public String toString() {
    return "TestCertificates[" + dir + "]";
  }

  private enum Role { CA, SERVER, CLIENT }

  private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
      PublicKey subjectKey, GeneralNames subjectAltNames, Instant notBefore,
      Instant notAfter, SecureRandom random, Role role)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
        new BigInteger(63, random).add(BigInteger.ONE), Date.from(notBefore),
        Date.from(notAfter), subject, subjectKey);
    builder.addExtension(Extension.subjectKeyIdentifier, false,
        extensions.createSubjectKeyIdentifier(subjectKey));
    builder.addExtension(Extension.authorityKeyIdentifier, false,
        extensions.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(role == Role.CA));
    if (role == Role.CA) {
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, role == Role.SERVER
          ? new ExtendedKeyUsage(new KeyPurposeId[] {
              KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
          : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    }
    if (subjectAltNames != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
    }
    return new JcaX509CertificateConverter().getCertificate(builder.build(
        new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKeys.getPrivate())));
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static byte[] randomBytes(SecureRandom random) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return bytes;
  }

  private static CertificateFiles writePair(Path dir, String name, X509Certificate certificate,
      PrivateKey key) throws IOException, GeneralSecurityException {
    return new CertificateFiles(
        writePem(dir.resolve(name + ".crt"), "CERTIFICATE", certificate.getEncoded()),
        // getEncoded() of a JCA private key is its PKCS#8 PrivateKeyInfo.
        writePem(dir.resolve(name + ".key"), "PRIVATE KEY", key.getEncoded()));
  }

  private static Path writePem(Path file, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type
        + "-----\n", StandardCharsets.US_ASCII);
    return file;
  }

  private static Path store(KeyStore store, Path file, char[] password)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password);
    }
    return file;
  }
}
