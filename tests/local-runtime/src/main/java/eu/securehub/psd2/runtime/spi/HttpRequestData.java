package eu.securehub.psd2.runtime.spi;

import java.net.URI;

public record HttpRequestData(String method, URI uri, Headers headers, byte[] body) {
}
