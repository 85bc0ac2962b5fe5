package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.DekCache;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.QsealEntry;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import eu.securehub.psd2.callouts.testing.TestCertificates;
import eu.securehub.psd2.callouts.testing.TestKeys;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class QsealSignatureTest {
    static final Instant NOW = Instant.parse("2026-03-05T08:09:10Z");
    static final Instant NOT_BEFORE = Instant.parse("2025-01-01T00:00:00Z");
    static final Instant NOT_AFTER = Instant.parse("2027-01-01T00:00:00Z");
    static final String BANK_HEADERS = "digest x-request-id psu-id psu-corporate-id date tpp-redirect-uri";
    static final String REQUEST_ID = "99391c7e-ad88-49ec-a2ad-99ddcb1f7721";
    static final String BODY = "{\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"123.50\"},\"creditorName\":\"Müller\"}";
    /** SHA-256 of BODY's UTF-8 bytes, computed outside Java. */
    static final String BODY_DIGEST = "SHA-256=y+ngoU806+ZhMKtl7v+WJUSI1l+yxB1I3t1KevOOhJw=";
    static final Pattern VALUE = Pattern.compile(
            "keyId=\"([^\"]+)\",algorithm=\"rsa-sha256\",headers=\"([^\"]+)\",signature=\"([A-Za-z0-9+/=]+)\"");

    private static KeyPair sealKeys;
    private static KeyPair otherKeys;
    private static TestCertificates.Issued seal;

    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private TestKeys keys;

    @BeforeAll
    static void makeKeys() {
        sealKeys = TestCertificates.keyPair("RSA", 2048);
        otherKeys = TestCertificates.keyPair("RSA", 2048);
        seal = TestCertificates.qseal(sealKeys, new BigInteger("1A2B3C4D5E", 16), NOT_BEFORE, NOT_AFTER);
    }

    @BeforeEach
    void freshCaches() {
        DekCache.clear();
        QsealSignature.clearCache();
        keys = new TestKeys().add("k1").warm();
    }

    /** The qseal entry for a certificate and a private key, encrypted under a keyring's key, as the key tool writes it. */
    static String entry(TestKeys ring, String keyId, TestCertificates.Issued cert, PrivateKey key) throws Exception {
        DataKey dataKey = DataKey.derive(keyId, Base64.getDecoder().decode(ring.dek(keyId)));
        String envelope = Envelope.encryptToText(dataKey, key.getEncoded(), QsealEntry.associatedData(cert.certificate));
        return QsealEntry.toJson(cert.certificate, envelope);
    }

    private String entry(TestCertificates.Issued cert) throws Exception {
        return entry(keys, "k1", cert, cert.privateKey());
    }

    private static Map<String, String> props(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("keyring", "{private.keyring}");
        p.put("qseal", "{private.qseal}");
        p.put("message", "request");
        p.put("headers", BANK_HEADERS);
        p.put("now", "{now}");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private MapMessageContext ctx(String qseal) {
        return new MapMessageContext().set("private.keyring", keys.keyring()).set("private.qseal", qseal)
                .set("now", NOW.toEpochMilli()).set("request.content", BODY).set("request.header.x-request-id", REQUEST_ID);
    }

    private ExecutionResult sign(MapMessageContext c, String... kv) {
        return new QsealSignature(props(kv)).execute(c, exec);
    }

    private static Matcher value(MapMessageContext c) {
        Matcher m = VALUE.matcher(c.string("signature.value"));
        assertThat(m.matches()).as(c.string("signature.value")).isTrue();
        return m;
    }

    private static boolean verifies(PublicKey key, String signingString, String signature) throws Exception {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(key);
        s.update(signingString.getBytes(StandardCharsets.UTF_8));
        return s.verify(Base64.getDecoder().decode(signature));
    }

    @Test
    void signsTheBerlinGroupHeadersAndTheSignatureVerifiesWithTheCertificate() throws Exception {
        MapMessageContext c = ctx(entry(seal))
                .set("request.header.psu-id", "PSU-1234")
                .set("request.header.date", "Thu, 05 Mar 2026 08:09:00 GMT")
                .set("request.header.date.values.string", "Thu, 05 Mar 2026 08:09:00 GMT")
                .set("request.header.tpp-redirect-uri", "https://hub.example/callback?bank=alpha");

        assertThat(sign(c)).isSameAs(ExecutionResult.SUCCESS);

        assertThat(c.string("signature.error")).isNull();
        assertThat(c.string("signature.unwrap_required")).isEqualTo("false");
        assertThat(c.string("signature.digest")).isEqualTo(BODY_DIGEST);
        assertThat(c.string("signature.headers")).isEqualTo("digest x-request-id psu-id date tpp-redirect-uri");
        assertThat(c.string("signature.date")).isEmpty();
        assertThat(c.string("signature.certificate"))
                .isEqualTo(Base64.getEncoder().encodeToString(seal.certificate.getEncoded()));
        Matcher m = value(c);
        assertThat(m.group(1)).isEqualTo("SN=1A2B3C4D5E,CA=" + TestCertificates.CA_DN);
        assertThat(m.group(2)).isEqualTo("digest x-request-id psu-id date tpp-redirect-uri");
        String signingString = "digest: " + BODY_DIGEST + "\n"
                + "x-request-id: " + REQUEST_ID + "\n"
                + "psu-id: PSU-1234\n"
                + "date: Thu, 05 Mar 2026 08:09:00 GMT\n"
                + "tpp-redirect-uri: https://hub.example/callback?bank=alpha";
        assertThat(verifies(seal.certificate.getPublicKey(), signingString, m.group(3))).isTrue();
        assertThat(verifies(otherKeys.getPublic(), signingString, m.group(3))).isFalse();
        assertThat(verifies(seal.certificate.getPublicKey(), signingString.replace("PSU-1234", "PSU-1235"), m.group(3))).isFalse();
    }

    @Test
    void digestIsSha256OfTheBodysUtf8BytesAndAnAbsentBodyIsEmpty() throws Exception {
        String qseal = entry(seal);
        MapMessageContext absent = ctx(qseal);
        absent.removeVariable("request.content");
        assertThat(sign(absent)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(absent.string("signature.digest")).isEqualTo("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");

        MapMessageContext empty = ctx(qseal).set("request.content", "");
        assertThat(sign(empty)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(empty.string("signature.digest")).isEqualTo("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");

        MapMessageContext abc = ctx(qseal).set("request.content", "abc");
        assertThat(sign(abc)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(abc.string("signature.digest")).isEqualTo("SHA-256=ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");

        MapMessageContext json = ctx(qseal);
        assertThat(sign(json)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(json.string("signature.digest")).isEqualTo(BODY_DIGEST);
        // The digest line is signed with the value computed here.
        assertThat(verifies(seal.certificate.getPublicKey(), "digest: " + BODY_DIGEST + "\nx-request-id: " + REQUEST_ID
                + "\ndate: " + json.string("signature.date"), value(json).group(3))).isTrue();
    }

    @Test
    void theBanksOrderIsKeptPresentHeadersOnlyAndTheRequiredOnesAreAppended() throws Exception {
        MapMessageContext c = ctx(entry(seal))
                .set("request.header.psu-id", "PSU-1234")
                .set("request.header.psu-corporate-id", "CORP-9")
                .set("request.header.tpp-redirect-uri", "https://hub.example/cb")
                .set("request.header.psu-ip-address", "192.0.2.10")
                .set("request.header.content-type", "application/json")
                .set("request.header.date", "Thu, 05 Mar 2026 08:09:00 GMT");

        // consent-id is listed but absent: left out; digest, x-request-id and the "where present" ones are appended.
        assertThat(sign(c, "headers", "Content-Type psu-ip-address  consent-id date")).isSameAs(ExecutionResult.SUCCESS);

        String names = "content-type psu-ip-address date digest x-request-id psu-id psu-corporate-id tpp-redirect-uri";
        assertThat(c.string("signature.headers")).isEqualTo(names);
        assertThat(value(c).group(2)).isEqualTo(names);
        String signingString = "content-type: application/json\n"
                + "psu-ip-address: 192.0.2.10\n"
                + "date: Thu, 05 Mar 2026 08:09:00 GMT\n"
                + "digest: " + BODY_DIGEST + "\n"
                + "x-request-id: " + REQUEST_ID + "\n"
                + "psu-id: PSU-1234\n"
                + "psu-corporate-id: CORP-9\n"
                + "tpp-redirect-uri: https://hub.example/cb";
        assertThat(verifies(seal.certificate.getPublicKey(), signingString, value(c).group(3))).isTrue();

        // Only digest and x-request-id when the message carries nothing else.
        MapMessageContext bare = ctx(entry(seal));
        assertThat(sign(bare, "headers", "psu-ip-address consent-id")).isSameAs(ExecutionResult.SUCCESS);
        assertThat(bare.string("signature.headers")).isEqualTo("digest x-request-id");
    }

    @Test
    void aHeaderValueIsReadWholeNotJustBeforeItsFirstComma() throws Exception {
        // Apigee's request.header.X holds only the text before the first comma; .values.string the whole value.
        MapMessageContext c = ctx(entry(seal))
                .set("request.header.date", "Thu")
                .set("request.header.date.values.string", "Thu, 05 Mar 2026 08:09:00 GMT")
                .set("request.header.psu-id", "  PSU-1234 ");

        assertThat(sign(c)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(verifies(seal.certificate.getPublicKey(), "digest: " + BODY_DIGEST + "\nx-request-id: " + REQUEST_ID
                + "\npsu-id: PSU-1234\ndate: Thu, 05 Mar 2026 08:09:00 GMT", value(c).group(3))).isTrue();
    }

    @Test
    void aListedDateTheMessageLacksIsMadeFromTheClockAndSigned() throws Exception {
        MapMessageContext c = ctx(entry(seal));

        assertThat(sign(c)).isSameAs(ExecutionResult.SUCCESS);

        assertThat(c.string("signature.date")).isEqualTo("Thu, 05 Mar 2026 08:09:10 GMT");
        assertThat(c.string("signature.headers")).isEqualTo("digest x-request-id date");
        assertThat(verifies(seal.certificate.getPublicKey(), "digest: " + BODY_DIGEST + "\nx-request-id: " + REQUEST_ID
                + "\ndate: Thu, 05 Mar 2026 08:09:10 GMT", value(c).group(3))).isTrue();

        // IMF-fixdate has a two-digit day.
        assertThat(QsealSignature.IMF_FIXDATE.format(Instant.parse("2026-11-01T23:05:09Z"))).isEqualTo("Sun, 01 Nov 2026 23:05:09 GMT");

        // Not listed and not carried: no Date at all.
        MapMessageContext unlisted = ctx(entry(seal));
        assertThat(sign(unlisted, "headers", "digest x-request-id")).isSameAs(ExecutionResult.SUCCESS);
        assertThat(unlisted.string("signature.date")).isEmpty();
        assertThat(unlisted.string("signature.headers")).isEqualTo("digest x-request-id");
    }

    @Test
    void aServiceCalloutRequestIsNamedByItsVariable() throws Exception {
        MapMessageContext c = ctx(entry(seal)).set("bankTokenRequest.content", "grant_type=authorization_code&code=x")
                .set("bankTokenRequest.header.x-request-id", "r-2");

        assertThat(sign(c, "message", "bankTokenRequest")).isSameAs(ExecutionResult.SUCCESS);

        String digest = c.string("signature.digest");
        assertThat(digest).isNotEqualTo(BODY_DIGEST);
        assertThat(verifies(seal.certificate.getPublicKey(), "digest: " + digest + "\nx-request-id: r-2\ndate: "
                + c.string("signature.date"), value(c).group(3))).isTrue();
    }

    @Test
    void aColdNodeAsksForTheUnwrapThenSigns() throws Exception {
        String qseal = entry(seal);
        DekCache.clear();
        Map<String, String> p = props("unwrapped-dek", "{private.kms.plaintext}", "unwrapped-dek-key-id", "{signature.unwrap_key_id}");
        MapMessageContext c = ctx(qseal);

        assertThat(new QsealSignature(p).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("signature.unwrap_required")).isEqualTo("true");
        assertThat(c.string("signature.unwrap_key_id")).isEqualTo("k1");
        assertThat(c.string("signature.unwrap_kek")).isEqualTo("projects/p/locations/europe-west3/keyRings/hub/cryptoKeys/kek");
        assertThat(new String(Base64.getDecoder().decode(c.string("signature.unwrap_aad")), StandardCharsets.US_ASCII))
                .isEqualTo("psd2-hub/dek/k1");
        assertThat(c.string("signature.value")).isNull();
        assertThat(c.string("signature.digest")).isNull();
        assertThat(QsealSignature.cacheSize()).isZero();

        // The flow calls Cloud KMS and runs the callout again with the plaintext.
        c.set("private.kms.plaintext", keys.dek("k1"));
        assertThat(new QsealSignature(p).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("signature.unwrap_required")).isEqualTo("false");
        assertThat(c.string("signature.error")).isNull();
        assertThat(verifies(seal.certificate.getPublicKey(), "digest: " + BODY_DIGEST + "\nx-request-id: " + REQUEST_ID
                + "\ndate: " + c.string("signature.date"), value(c).group(3))).isTrue();
        assertThat(QsealSignature.cacheSize()).isEqualTo(1);

        // The parsed key is cached: the next request needs no data key at all.
        DekCache.clear();
        MapMessageContext next = ctx(qseal);
        assertThat(sign(next)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(next.string("signature.unwrap_required")).isEqualTo("false");
        assertThat(next.string("signature.value")).isNotNull();
    }

    @Test
    void theCachedKeyExpiresWithTheDekCacheTime() throws Exception {
        String qseal = entry(seal);
        assertThat(sign(ctx(qseal), "dek-cache-seconds", "60")).isSameAs(ExecutionResult.SUCCESS);
        DekCache.clear();

        MapMessageContext later = ctx(qseal).set("now", NOW.toEpochMilli() + 61_000);
        assertThat(sign(later, "dek-cache-seconds", "60")).isSameAs(ExecutionResult.SUCCESS);
        assertThat(later.string("signature.unwrap_required")).isEqualTo("true");
        assertThat(later.string("signature.value")).isNull();
    }

    @Test
    void aKeyEncryptedUnderAnotherDekIsAnInvalidQseal() throws Exception {
        // Another keyring's key with the same id: the envelope's commitment does not match.
        TestKeys impostor = new TestKeys().add("k1");
        String qseal = entry(impostor, "k1", seal, seal.privateKey());
        MapMessageContext c = ctx(qseal);

        assertThat(sign(c)).isSameAs(ExecutionResult.ABORT);

        assertThat(c.string("signature.error_code")).isEqualTo("invalid_qseal");
        assertThat(c.string("signature.error")).startsWith("invalid_qseal: qseal privateKey does not decrypt under data key k1")
                .doesNotContain(impostor.dek("k1"), keys.dek("k1"), QsealEntry.parse(qseal).privateKeyEnvelope());
        assertThat(c.string("signature.value")).isNull();
        assertThat(QsealSignature.cacheSize()).isZero();
    }

    @Test
    void aPrivateKeyOfAnotherCertificateIsAnInvalidQseal() throws Exception {
        PrivateKey wrong = otherKeys.getPrivate();
        MapMessageContext c = ctx(entry(keys, "k1", seal, wrong));

        assertThat(sign(c)).isSameAs(ExecutionResult.ABORT);

        assertThat(c.string("signature.error_code")).isEqualTo("invalid_qseal");
        assertThat(c.string("signature.error")).isEqualTo("invalid_qseal: qseal privateKey does not belong to its certificate");
        assertThat(c.string("signature.error")).doesNotContain(Base64.getEncoder().encodeToString(wrong.getEncoded()).substring(0, 40));
        assertThat(QsealSignature.cacheSize()).isZero();
    }

    @Test
    void anEditedEntryIsAnInvalidQseal() throws Exception {
        String good = entry(seal);
        String keyId = QsealEntry.keyIdOf(seal.certificate);
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(good.replace(keyId, keyId.replace("SN=1A2B3C4D5E", "SN=1A2B3C4D5F")), "qseal keyId is not SN=<serial>,CA=<issuer> of its certificate");
        bad.put(good.replace(NOT_AFTER.toString(), "2028-01-01T00:00:00Z"), "qseal notAfter is not its certificate's notAfter");
        bad.put(good.replace("\"version\":1", "\"version\":2"), "qseal version must be 1");
        bad.put("{\"version\":1}", "qseal has no keyId");
        bad.put("not json", "qseal is not valid JSON");
        bad.put(good.replace("\"certificate\":\"", "\"certificate\":\"!"), "qseal certificate is not base64");
        bad.put(good.replace("\"certificate\":\"", "\"certificate\":\"AAAA"), "qseal certificate is not an X.509 certificate");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            MapMessageContext c = ctx(b.getKey());
            assertThat(sign(c)).as(b.getValue()).isSameAs(ExecutionResult.ABORT);
            assertThat(c.string("signature.error_code")).as(b.getValue()).isEqualTo("invalid_qseal");
            assertThat(c.string("signature.error")).as(b.getValue()).startsWith("invalid_qseal: " + b.getValue());
        }

        MapMessageContext none = ctx("");
        assertThat(sign(none)).isSameAs(ExecutionResult.ABORT);
        assertThat(none.string("signature.error")).isEqualTo("missing_property: qseal resolves to null or empty");
    }

    @Test
    void anExpiredCertificateIsQsealExpiredWithoutAnyUnwrap() throws Exception {
        String qseal = entry(seal);
        DekCache.clear();
        MapMessageContext c = ctx(qseal).set("now", NOT_AFTER.toEpochMilli() + 1000);

        assertThat(sign(c)).isSameAs(ExecutionResult.ABORT);

        assertThat(c.string("signature.error_code")).isEqualTo("qseal_expired");
        assertThat(c.string("signature.error")).contains("expired at 2027-01-01T00:00:00Z").contains("roll the QSEAL");
        assertThat(c.string("signature.unwrap_required")).isNull();

        // Also once the key is cached: expiry is checked on every call.
        MapMessageContext fresh = ctx(qseal);
        keys.warm();
        assertThat(sign(fresh)).isSameAs(ExecutionResult.SUCCESS);
        MapMessageContext late = ctx(qseal).set("now", NOT_AFTER.toEpochMilli() + 1000);
        assertThat(sign(late)).isSameAs(ExecutionResult.ABORT);
        assertThat(late.string("signature.error_code")).isEqualTo("qseal_expired");
        assertThat(late.string("signature.value")).isNull();

        MapMessageContext early = ctx(qseal).set("now", NOT_BEFORE.toEpochMilli() - 1000);
        assertThat(sign(early)).isSameAs(ExecutionResult.ABORT);
        assertThat(early.string("signature.error_code")).isEqualTo("invalid_qseal");
    }

    @Test
    void keyIdIsTheSerialInUpperCaseHexWithoutLeadingZerosAndTheIssuer() throws Exception {
        // 0x8F12AB... has its high bit set: DER writes the serial with a leading zero byte.
        BigInteger highBit = new BigInteger("8F12AB0C", 16);
        assertThat(highBit.toByteArray()[0]).isZero();
        TestCertificates.Issued a = TestCertificates.qseal(sealKeys, highBit, NOT_BEFORE, NOT_AFTER);
        MapMessageContext c = ctx(entry(a));
        assertThat(sign(c)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(value(c).group(1)).isEqualTo("SN=8F12AB0C,CA=CN=Test QSEAL CA,O=PSD2 Hub Test,C=DE");

        // A serial whose hex starts with a zero nibble: no leading zero either.
        TestCertificates.Issued b = TestCertificates.qseal(sealKeys, new BigInteger("0a0b", 16), NOT_BEFORE, NOT_AFTER);
        MapMessageContext d = ctx(entry(b));
        assertThat(sign(d)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(value(d).group(1)).isEqualTo("SN=A0B,CA=CN=Test QSEAL CA,O=PSD2 Hub Test,C=DE");
        assertThat(new String(QsealEntry.associatedData(b.certificate), StandardCharsets.US_ASCII)).isEqualTo("psd2-hub/qseal/A0B");
    }

    @Test
    void aRolledCertificateReplacesTheOldAndTheCacheStaysSmall() throws Exception {
        for (int i = 0; i < QsealSignature.MAX_CACHED + 3; i++) {
            TestCertificates.Issued q = TestCertificates.qseal(sealKeys, BigInteger.valueOf(1000 + i), NOT_BEFORE, NOT_AFTER);
            MapMessageContext c = ctx(entry(q));
            assertThat(sign(c)).isSameAs(ExecutionResult.SUCCESS);
            assertThat(value(c).group(1)).startsWith("SN=" + Integer.toHexString(1000 + i).toUpperCase() + ",");
            assertThat(QsealSignature.cacheSize()).isLessThanOrEqualTo(QsealSignature.MAX_CACHED);
        }
    }

    @Test
    void aMissingRequestIdIsAnError() throws Exception {
        MapMessageContext c = ctx(entry(seal));
        c.removeVariable("request.header.x-request-id");

        assertThat(sign(c)).isSameAs(ExecutionResult.ABORT);

        assertThat(c.string("signature.error")).isEqualTo("missing_header: message request has no X-Request-ID header");
        assertThat(c.string("signature.value")).isNull();
    }

    @Test
    void aHeaderWithALineBreakIsRefused() throws Exception {
        MapMessageContext c = ctx(entry(seal)).set("request.header.psu-id", "PSU-1\r\nx-evil: 1");

        assertThat(sign(c)).isSameAs(ExecutionResult.ABORT);

        assertThat(c.string("signature.error")).isEqualTo("invalid_header: header psu-id of message request holds a line break or NUL");
    }

    @Test
    void theHeaderListNamesOnlyKnownHeadersOnce() throws Exception {
        String qseal = entry(seal);
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("digest x-request-id authorization", "invalid_property: headers names a header this callout does not sign authorization; known: ");
        bad.put("digest (request-target)", "invalid_property: headers names (request-target), which this callout does not sign");
        bad.put("digest date DATE", "invalid_property: headers names date twice");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            MapMessageContext c = ctx(qseal);
            assertThat(sign(c, "headers", b.getKey())).as(b.getKey()).isSameAs(ExecutionResult.ABORT);
            assertThat(c.string("signature.error")).as(b.getKey()).startsWith(b.getValue());
        }
        MapMessageContext none = ctx(qseal);
        assertThat(sign(none, "headers", "{unset}")).isSameAs(ExecutionResult.ABORT);
        assertThat(none.string("signature.error")).isEqualTo("missing_property: headers resolves to null or empty");

        MapMessageContext badMessage = ctx(qseal);
        assertThat(sign(badMessage, "message", "request content")).isSameAs(ExecutionResult.ABORT);
        assertThat(badMessage.string("signature.error")).isEqualTo("invalid_property: message is not a variable name");
    }

    @Test
    void outputsOfAnEarlierCallAreClearedWhenACallFails() throws Exception {
        MapMessageContext c = ctx(entry(seal));
        assertThat(sign(c)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("signature.value")).isNotNull();

        c.removeVariable("request.header.x-request-id");
        assertThat(sign(c)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("signature.value")).isNull();
        assertThat(c.string("signature.digest")).isNull();
        assertThat(c.string("signature.date")).isNull();
    }
}
