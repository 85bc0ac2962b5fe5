package eu.securehub.psd2.e2e;

/** The end of a test class's shared resources (browser contexts, browsers, hubs, log captures). */
final class Closing {
    private Closing() {
    }

    /**
     * Closes each resource in the order given, null ones skipped, every one attempted even when an earlier one fails;
     * the first failure is thrown with the later ones suppressed in it.
     */
    static void all(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
