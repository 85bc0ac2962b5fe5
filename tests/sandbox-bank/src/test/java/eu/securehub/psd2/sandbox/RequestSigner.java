package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.testpki.Credential;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Signs a TPP's request with its QSEAL as the Berlin Group profiles draft-cavage-http-signatures-10: Digest (SHA-256
 * of the body), Signature (keyId, rsa-sha256, the signed header list, the signature) and TPP-Signature-Certificate
 * (base64 DER). The {@code with…} methods return variants (for negative tests); none changes this signer.
 */
final class RequestSigner {

  /** Signed whenever the request carries them (besides digest and x-request-id, always signed). */
  static final List<String> SIGNED_WHEN_PRESENT = List.of("psu-id", "psu-corporate-id", "date", "tpp-redirect-uri");

  private PrivateKey key;
  private String keyId;
  private Set<String> unsigned = Set.of();
  private boolean requestTarget;
  private String certificateHeader;
  private String algorithm = "rsa-sha256";
  private String digestAlgorithm = "SHA-256";

  private RequestSigner() {
  }

  /** Signs with this credential's key and sends its certificate. */
  static RequestSigner with(Credential seal) {
    RequestSigner s = new RequestSigner();
    s.key = seal.key();
    s.keyId = keyIdOf(seal.certificate());
    s.certificateHeader = base64(seal.certificate());
    return s;
  }

  /** {@code SN=<serial, upper-case hex>,CA=<issuer DN, RFC 2253>}. */
  static String keyIdOf(X509Certificate c) {
    return "SN=" + c.getSerialNumber().toString(16).toUpperCase(Locale.ROOT) + ",CA="
        + c.getIssuerX500Principal().getName(X500Principal.RFC2253);
  }

  static String base64(X509Certificate c) {
    try {
      return Base64.getEncoder().encodeToString(c.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private RequestSigner copy() {
    RequestSigner s = new RequestSigner();
    s.key = key;
    s.keyId = keyId;
    s.unsigned = unsigned;
    s.requestTarget = requestTarget;
    s.certificateHeader = certificateHeader;
    s.algorithm = algorithm;
    s.digestAlgorithm = digestAlgorithm;
    return s;
  }

  RequestSigner withKeyId(String value) {
    RequestSigner s = copy();
    s.keyId = value;
    return s;
  }

  /** Leaves these (lower-case) header names out of the signed list, even where the profile requires them. */
  RequestSigner leavingUnsigned(String... names) {
    RequestSigner s = copy();
    s.unsigned = Set.of(names);
    return s;
  }

  /** Also signs {@code (request-target)}, first. */
  RequestSigner withRequestTarget() {
    RequestSigner s = copy();
    s.requestTarget = true;
    return s;
  }

  /** Sends this TPP-Signature-Certificate value instead (e.g. PEM armour, another certificate). */
  RequestSigner withCertificateHeader(String value) {
    RequestSigner s = copy();
    s.certificateHeader = value;
    return s;
  }

  /** Names this algorithm in the Signature header (still signs SHA256withRSA). */
  RequestSigner withAlgorithm(String name) {
    RequestSigner s = copy();
    s.algorithm = name;
    return s;
  }

  /** The Digest header's algorithm: SHA-256 (default) or SHA-512. */
  RequestSigner withDigest(String name) {
    RequestSigner s = copy();
    s.digestAlgorithm = name;
    return s;
  }

  /** Signs with another key (the headers still name this signer's certificate). */
  RequestSigner withKey(PrivateKey other) {
    RequestSigner s = copy();
    s.key = other;
    return s;
  }

  /** The headers plus Digest, Signature and TPP-Signature-Certificate for this request. */
  Map<String, String> sign(String method, String pathAndQuery, Map<String, String> headers, byte[] body) {
    Map<String, String> out = new LinkedHashMap<>(headers);
    out.put("Digest", digestAlgorithm + "=" + Base64.getEncoder().encodeToString(digest(digestAlgorithm, body)));
    List<String> names = new ArrayList<>();
    if (requestTarget) {
      names.add("(request-target)");
    }
    names.add("digest");
    names.add("x-request-id");
    for (String name : SIGNED_WHEN_PRESENT) {
      if (value(out, name) != null) {
        names.add(name);
      }
    }
    names.removeAll(unsigned);
    StringBuilder signingString = new StringBuilder();
    for (String name : names) {
      signingString.append(signingString.length() == 0 ? "" : "\n").append(name).append(": ")
          .append(name.equals("(request-target)") ? method.toLowerCase(Locale.ROOT) + " " + pathAndQuery
              : value(out, name));
    }
    out.put("Signature", "keyId=\"" + keyId + "\",algorithm=\"" + algorithm + "\",headers=\""
        + String.join(" ", names) + "\",signature=\"" + rsaSha256(signingString.toString()) + "\"");
    out.put("TPP-Signature-Certificate", certificateHeader);
    return out;
  }

  private String rsaSha256(String signingString) {
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(signingString.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] digest(String algorithm, byte[] body) {
    try {
      return MessageDigest.getInstance(algorithm).digest(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String value(Map<String, String> headers, String name) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }
}
