package eu.securehub.psd2.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Realistic payloads: a Berlin Group account-transactions report (what the hub encrypts for the
 * CRM's log and archive), made deterministically, valid JSON, exactly the requested number of
 * UTF-8 bytes. ASCII only (names are transliterated, as many banks send them), so a character is a byte.
 */
public final class Payloads {
    private static final String[] CREDITORS = {
        "Stadtwerke Muenchen GmbH", "Deutsche Bahn Fernverkehr AG", "REWE Markt GmbH", "Allianz Versicherungs-AG",
        "Vodafone GmbH", "Finanzamt Berlin-Mitte", "Amazon EU S.a.r.l.", "Hausverwaltung Koenig & Partner",
        "Techniker Krankenkasse", "Lufthansa AG", "IKEA Deutschland GmbH & Co. KG", "Rundfunk ARD ZDF Beitragsservice",
    };
    private static final String[] WORDS = {
        "Abschlag", "Strom", "Miete", "Rechnung", "Vertragskonto", "Kundennummer", "Beitrag", "Lastschrift",
        "Dauerauftrag", "Gutschrift", "Bestellung", "Versicherung", "Zeitraum", "Mandatsreferenz", "SEPA",
    };
    private static final String HEAD = "{\"account\":{\"iban\":\"DE89370400440532013000\",\"currency\":\"EUR\"},"
            + "\"transactions\":{\"booked\":[";
    private static final String TAIL = "],\"pending\":[]},\"_links\":{\"account\":"
            + "{\"href\":\"/v1/accounts/3dc3d5b3-7023-4848-9853-f5400a64e80f\"}}}";
    private static final String LAST_OPEN = "{\"transactionId\":\"final\",\"remittanceInformationUnstructured\":\"";
    private static final String LAST_CLOSE = "\"}";
    private static final int MIN_LAST = LAST_OPEN.length() + LAST_CLOSE.length() + 1;

    private Payloads() {
    }

    /** A JSON transactions report of exactly {@code bytes} bytes (at least 256). */
    public static String transactionsJson(int bytes) {
        if (bytes < 256) {
            throw new IllegalArgumentException("payloads start at 256 bytes");
        }
        SplittableRandom random = new SplittableRandom(20260501L + bytes);
        StringBuilder json = new StringBuilder(bytes).append(HEAD);
        for (int i = 0; ; i++) {
            String entry = transaction(random, i);
            if (json.length() + entry.length() + 1 + MIN_LAST + TAIL.length() > bytes) {
                break;
            }
            json.append(entry).append(',');
        }
        int fill = bytes - json.length() - TAIL.length() - LAST_OPEN.length() - LAST_CLOSE.length();
        json.append(LAST_OPEN).append(words(random, fill)).append(LAST_CLOSE).append(TAIL);
        String text = json.toString();
        if (text.getBytes(StandardCharsets.UTF_8).length != bytes) {
            throw new IllegalStateException("payload has " + text.length() + " bytes, not " + bytes);
        }
        return text;
    }

    private static String transaction(SplittableRandom r, int i) {
        int day = 1 + r.nextInt(28);
        int month = 1 + r.nextInt(12);
        String date = String.format(Locale.ROOT, "2026-%02d-%02d", month, day);
        long cents = 100 + r.nextInt(250_000);
        String amount = (r.nextInt(5) == 0 ? "" : "-") + (cents / 100) + "." + String.format(Locale.ROOT, "%02d", cents % 100);
        return "{\"transactionId\":\"" + (4_700_000 + i) + "-" + Long.toHexString(r.nextLong() >>> 16) + "\","
                + "\"entryReference\":\"" + Long.toString(r.nextLong() >>> 12, 36).toUpperCase(Locale.ROOT) + "\","
                + "\"bookingDate\":\"" + date + "\",\"valueDate\":\"" + date + "\","
                + "\"transactionAmount\":{\"currency\":\"EUR\",\"amount\":\"" + amount + "\"},"
                + "\"creditorName\":\"" + CREDITORS[r.nextInt(CREDITORS.length)] + "\","
                + "\"creditorAccount\":{\"iban\":\"DE" + (10 + r.nextInt(89)) + String.format(Locale.ROOT, "%018d",
                        r.nextLong(1_000_000_000_000_000_000L)) + "\"},"
                + "\"bankTransactionCode\":\"PMNT-RDDT-ESDD\","
                + "\"remittanceInformationUnstructured\":\"" + words(r, 30 + r.nextInt(90)) + "\"}";
    }

    /** Words and numbers, exactly {@code length} characters. */
    private static String words(SplittableRandom r, int length) {
        StringBuilder s = new StringBuilder(length + 16);
        while (s.length() < length) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(r.nextInt(4) == 0 ? Integer.toString(r.nextInt(1_000_000)) : WORDS[r.nextInt(WORDS.length)]);
        }
        s.setLength(length);
        return s.toString();
    }
}
