package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.Optional;

/**
 * PopulateCache (§4.10): {@code <CacheKey>}, {@code <CacheResource>}, {@code <Scope>}, {@code <Source>} and
 * {@code <ExpirySettings>} with {@code <TimeoutInSeconds>} or {@code <TimeoutInSec>} (a literal number of seconds
 * and/or a {@code ref}). The X page's sample writes TimeoutInSeconds and its element reference TimeoutInSec (devrel
 * PR #145 switched to TimeoutInSec); both are accepted, only one at a time. {@code <TimeOfDay>} and
 * {@code <ExpiryDate>} are documented but refused here (not implemented, so not silently mis-timed).
 * Without {@code <ExpirySettings>} an entry lives 300 s (UNCONFIRMED default; the hub always sets it).
 */
public final class PopulateCacheFactory implements PolicyFactory {
    static final String TYPE = "PopulateCache";
    static final long DEFAULT_TIMEOUT_SECONDS = 300;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        Elements.properties(xml);
        CacheKeySpec key = CacheKeySpec.parse(xml);
        String source = Elements.requiredText(xml, "Source");
        ValueRef timeout = new ValueRef(null, Long.toString(DEFAULT_TIMEOUT_SECONDS));
        Optional<PolicyXml> expiry = xml.child("ExpirySettings");
        if (expiry.isPresent()) {
            Elements.unsupported(expiry.get(), "TimeOfDay", "use <TimeoutInSec>");
            Elements.unsupported(expiry.get(), "ExpiryDate", "use <TimeoutInSec>");
            Optional<PolicyXml> sec = expiry.get().child("TimeoutInSec");
            Optional<PolicyXml> seconds = expiry.get().child("TimeoutInSeconds");
            if (sec.isPresent() && seconds.isPresent()) {
                throw seconds.get().error("use either <TimeoutInSec> or <TimeoutInSeconds>, not both");
            }
            PolicyXml t = sec.or(() -> seconds).orElseThrow(
                    () -> expiry.get().error("<ExpirySettings> needs <TimeoutInSec> (or <TimeoutInSeconds>)"));
            timeout = ValueRef.of(t);
            if (timeout.isEmpty()) {
                throw t.error("<" + t.elementName() + "> needs a number of seconds or a ref");
            }
            if (timeout.literal() != null && Elements.parseNonNegative(timeout.literal()) < 1) {
                throw t.error("Invalid timeout '" + timeout.literal() + "': a positive number of seconds");
            }
        }
        xml.done();
        return new PopulateCachePolicy(xml, key, source, timeout);
    }
}
