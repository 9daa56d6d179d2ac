package io.nearcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestCertificatesTest {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @Test
  void makesACaAndCertificatesItSignedForTheRightNames() throws Exception {
    try (TestCertificates certs = TestCertificates.create()) {
      X509Certificate ca = read(certs.caCertificate());
      X509Certificate server = read(certs.server().certificate());
      X509Certificate other = read(certs.serverForOtherHost().certificate());
      X509Certificate client = read(certs.client().certificate());

      assertThat(ca.getBasicConstraints()).isNotNegative();
      for (X509Certificate signed : List.of(server, other, client)) {
        signed.verify(ca.getPublicKey());
        signed.checkValidity();
        assertThat(signed.getBasicConstraints()).isEqualTo(-1);
      }
      assertThat(server.getSubjectAlternativeNames())
          .containsExactlyInAnyOrder(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
      assertThat(server.getExtendedKeyUsage()).containsExactly(SERVER_AUTH, CLIENT_AUTH);
      assertThat(other.getSubjectAlternativeNames())
          .containsExactly(List.of(2, "other.invalid"));
      assertThat(client.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
      assertThat(Files.readString(certs.server().privateKey()))
          .startsWith("-----BEGIN PRIVATE KEY-----\n");
    }
  }

  @Test
  void theStoresOpenWithTheirPasswordAndCloseDeletesEverything() throws Exception {
    TestCertificates certs = TestCertificates.create();
    Path dir = certs.dir();

    KeyStore trust = load(certs.trustStore(), certs.storePassword());
    KeyStore keys = load(certs.clientKeyStore(), certs.storePassword());
    assertThat(trust.getCertificate(trust.aliases().nextElement()))
        .isEqualTo(read(certs.caCertificate()));
    String alias = keys.aliases().nextElement();
    assertThat(keys.getKey(alias, certs.storePassword())).isNotNull();
    assertThat(keys.getCertificateChain(alias)).hasSize(2);

    certs.close();
    certs.close();

    assertThat(dir).doesNotExist();
  }

  private static X509Certificate read(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static KeyStore load(Path file, char[] password)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }
}
