package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SpikeArrest (§0, §4.5): {@code <Identifier ref>}, {@code <MessageWeight ref>}, {@code <Rate ref>Nps|Npm</Rate>}
 * (required) and {@code <UseEffectiveCount>} (default false). A literal rate that is not an integer followed by
 * ps or pm is Apigee's deployment error InvalidAllowedRate (a start-up ConfigError here).
 */
public final class SpikeArrestFactory implements PolicyFactory {
    static final String TYPE = "SpikeArrest";
    private static final Pattern RATE = Pattern.compile("(\\d{1,9})(ps|pm)");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        Elements.properties(xml);
        String identifierRef = null;
        Optional<PolicyXml> id = xml.child("Identifier");
        if (id.isPresent()) {
            identifierRef = id.get().attribute("ref").trim();
            if (identifierRef.isEmpty()) {
                throw id.get().error("<Identifier> needs a ref");
            }
        }
        String weightRef = null;
        Optional<PolicyXml> weight = xml.child("MessageWeight");
        if (weight.isPresent()) {
            weightRef = weight.get().attribute("ref").trim();
            if (weightRef.isEmpty() || !weight.get().text().isEmpty()) {
                throw weight.get().error("<MessageWeight> takes a ref and no literal");
            }
        }
        PolicyXml rateElement = Elements.required(xml, "Rate");
        ValueRef rate = ValueRef.of(rateElement);
        if (rate.isEmpty()) {
            throw rateElement.error("<Rate> needs a rate (e.g. 30pm) or a ref");
        }
        if (rate.literal() != null && parse(rate.literal()) == null) {
            throw rateElement.error("InvalidAllowedRate: '" + rate.literal() + "' (an integer followed by ps or pm)");
        }
        boolean useEffectiveCount = Elements.bool(xml, "UseEffectiveCount", false);
        xml.done();
        return new SpikeArrestPolicy(xml, identifierRef, weightRef, rate, useEffectiveCount);
    }

    /** A rate such as "30pm" as (count, per), or null when malformed or zero. */
    static Rate parse(String text) {
        Matcher m = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        if (n < 1) {
            return null;
        }
        return new Rate(n, m.group(2).equals("ps") ? ChronoUnit.SECONDS : ChronoUnit.MINUTES);
    }

    record Rate(long count, ChronoUnit per) {
    }
}
