package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/**
 * Quota (apigee-semantics.md §0, §4.4). Reads the root's {@code type} (omitted/default, calendar, flexi,
 * rollingwindow), {@code <Identifier ref>}, {@code <Allow count countRef>}, {@code <Interval ref>n</Interval>},
 * {@code <TimeUnit ref>unit</TimeUnit>}, {@code <StartTime>} (calendar only), {@code <Distributed>},
 * {@code <Synchronous>}, {@code <AsynchronousConfiguration>} ({@code <SyncIntervalInSeconds>} or
 * {@code <SyncMessageCount>}), {@code <MessageWeight ref>}, {@code <SharedName>}, {@code <CountOnly>},
 * {@code <EnforceOnly>}. Apigee's deployment errors are start-up ConfigErrors carrying the documented name
 * (InvalidQuotaType, InvalidQuotaInterval, InvalidQuotaTimeUnit, InvalidStartTime, StartTimeNotSupported,
 * InvalidTimeUnitForDistributedQuota, InvalidSynchronizeIntervalForAsyncConfiguration,
 * InvalidSynchronizeMessageCountForAsyncConfiguration, InvalidAsynchronizeConfigurationForSynchronousQuota).
 *
 * <p>Choices: {@code <Allow>} needs a {@code count} even with a countRef (an unset ref must fall back to a limit;
 * a policy with none is refused rather than left unlimited). {@code CountOnly}/{@code EnforceOnly} need
 * {@code <SharedName>} (apigeelint PO035) and are exclusive. {@code <Allow><Class>} and
 * {@code <UseQuotaConfigInAPIProduct>} are documented but refused (not implemented). Distributed, Synchronous and
 * the asynchronous settings are validated but change nothing: the local counter is exact (one node).
 */
public final class QuotaFactory implements PolicyFactory {
    static final String TYPE = "Quota";
    static final DateTimeFormatter START_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        Elements.properties(xml);
        Elements.unsupported(xml, "UseQuotaConfigInAPIProduct", "give Allow/Interval/TimeUnit (refs to verifyapikey.* work)");

        String type = xml.optionalAttribute("type").map(String::trim).orElse("default");
        switch (type) {
            case "default":
            case "calendar":
            case "flexi":
            case "rollingwindow":
                break;
            default:
                throw xml.error("InvalidQuotaType: '" + type + "' (default, calendar, flexi or rollingwindow)");
        }

        String identifier = null;
        Optional<PolicyXml> id = xml.child("Identifier");
        if (id.isPresent()) {
            identifier = id.get().attribute("ref").trim();
            if (identifier.isEmpty()) {
                throw id.get().error("<Identifier> needs a ref");
            }
        }

        PolicyXml allow = Elements.required(xml, "Allow");
        Elements.unsupported(allow, "Class", "use countRef");
        String countText = allow.optionalAttribute("count").orElseThrow(
                () -> allow.error("<Allow> needs a count (the limit used when countRef is unset)"));
        long count = Elements.parseNonNegative(countText);
        if (count < 0) {
            throw allow.error("<Allow count> must be a non-negative integer, not '" + countText + "'");
        }
        String countRef = allow.optionalAttribute("countRef").map(String::trim).orElse(null);
        if (countRef != null && countRef.isEmpty()) {
            throw allow.error("<Allow countRef> must not be empty");
        }

        PolicyXml intervalElement = Elements.required(xml, "Interval");
        ValueRef interval = ValueRef.of(intervalElement);
        if (interval.isEmpty()) {
            throw intervalElement.error("InvalidQuotaInterval: <Interval> needs a number or a ref");
        }
        if (interval.literal() != null && Elements.parseNonNegative(interval.literal()) < 1) {
            throw intervalElement.error("InvalidQuotaInterval: '" + interval.literal() + "' is not a positive integer");
        }

        PolicyXml unitElement = Elements.required(xml, "TimeUnit");
        ValueRef timeUnit = ValueRef.of(unitElement);
        if (timeUnit.isEmpty()) {
            throw unitElement.error("InvalidQuotaTimeUnit: <TimeUnit> needs a unit or a ref");
        }
        if (timeUnit.literal() != null && unit(timeUnit.literal()) == null) {
            throw unitElement.error("InvalidQuotaTimeUnit: '" + timeUnit.literal() + "' (second, minute, hour, day, week or month)");
        }

        Instant startTime = null;
        Optional<PolicyXml> start = xml.child("StartTime");
        if (start.isPresent()) {
            if (!type.equals("calendar")) {
                throw start.get().error("StartTimeNotSupported: <StartTime> is for type=\"calendar\" only");
            }
            try {
                startTime = LocalDateTime.parse(start.get().text(), START_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw start.get().error("InvalidStartTime: '" + start.get().text() + "' (yyyy-MM-dd HH:mm:ss)");
            }
        } else if (type.equals("calendar")) {
            throw xml.error("InvalidStartTime: a calendar quota needs <StartTime>");
        }

        boolean distributed = Elements.bool(xml, "Distributed", false);
        if (distributed && "second".equalsIgnoreCase(timeUnit.literal())) {
            throw unitElement.error("InvalidTimeUnitForDistributedQuota: TimeUnit second with Distributed=true");
        }
        boolean synchronous = Elements.bool(xml, "Synchronous", false);
        Optional<PolicyXml> async = xml.child("AsynchronousConfiguration");
        if (async.isPresent()) {
            if (synchronous) {
                throw async.get().error("InvalidAsynchronizeConfigurationForSynchronousQuota: Synchronous is true");
            }
            Optional<PolicyXml> interval2 = async.get().child("SyncIntervalInSeconds");
            Optional<PolicyXml> messages = async.get().child("SyncMessageCount");
            if (interval2.isPresent() == messages.isPresent()) {
                throw async.get().error("<AsynchronousConfiguration> needs exactly one of <SyncIntervalInSeconds>, <SyncMessageCount>");
            }
            if (interval2.isPresent() && Elements.parseNonNegative(interval2.get().text()) < 10) {
                throw interval2.get().error("InvalidSynchronizeIntervalForAsyncConfiguration: at least 10 seconds");
            }
            if (messages.isPresent() && Elements.parseNonNegative(messages.get().text()) < 1) {
                throw messages.get().error("InvalidSynchronizeMessageCountForAsyncConfiguration: a positive integer");
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

        String sharedName = xml.childText("SharedName").orElse(null);
        if (sharedName != null && sharedName.isEmpty()) {
            throw xml.child("SharedName").get().error("<SharedName> must not be empty");
        }
        boolean countOnly = Elements.bool(xml, "CountOnly", false);
        boolean enforceOnly = Elements.bool(xml, "EnforceOnly", false);
        if (countOnly && enforceOnly) {
            throw xml.error("<CountOnly> and <EnforceOnly> cannot both be true");
        }
        if ((countOnly || enforceOnly) && sharedName == null) {
            throw xml.error("<CountOnly>/<EnforceOnly> need a <SharedName>");
        }
        xml.done();
        return new QuotaPolicy(xml, type, identifier, count, countRef, interval, timeUnit, startTime, weightRef,
                sharedName, countOnly, enforceOnly, distributed, synchronous);
    }

    /** The ChronoUnit of a TimeUnit value, or null. */
    static ChronoUnit unit(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "second":
                return ChronoUnit.SECONDS;
            case "minute":
                return ChronoUnit.MINUTES;
            case "hour":
                return ChronoUnit.HOURS;
            case "day":
                return ChronoUnit.DAYS;
            case "week":
                return ChronoUnit.WEEKS;
            case "month":
                return ChronoUnit.MONTHS;
            default:
                return null;
        }
    }
}
