package eu.securehub.psd2.runtime.spi;

public record HttpResponseData(int status, Headers headers, byte[] body) {
}
