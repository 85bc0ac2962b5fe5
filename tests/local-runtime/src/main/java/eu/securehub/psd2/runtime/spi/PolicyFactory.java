package eu.securehub.psd2.runtime.spi;

/**
 * Creates policies of one type. Registered through java.util.ServiceLoader
 * (META-INF/services/eu.securehub.psd2.runtime.spi.PolicyFactory). create must read every element and
 * attribute it supports and call {@link PolicyXml#done()} (the engine also checks after create returns).
 */
public interface PolicyFactory {
    /** The XML root element, e.g. "KeyValueMapOperations". */
    String type();

    Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError;
}
