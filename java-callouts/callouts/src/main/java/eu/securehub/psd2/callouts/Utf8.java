package eu.securehub.psd2.callouts;

/** UTF-8 sizes of text, counted without encoding it. */
final class Utf8 {
    private Utf8() {
    }

    /** The UTF-8 length of {@code s}, counted no further than one byte past {@code stopAfter}. */
    static long length(String s, long stopAfter) {
        long n = 0;
        for (int i = 0; i < s.length() && n <= stopAfter; ) {
            int cp = s.codePointAt(i);
            n += bytes(cp);
            i += Character.charCount(cp);
        }
        return n;
    }

    /** The UTF-8 length of one code point (an unpaired surrogate counts 3, as its replacement would). */
    static int bytes(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }
}
