package eu.securehub.psd2.runtime.spi;

import java.io.IOException;
import java.time.Duration;

/** Outgoing HTTP calls (ServiceCallout; the engine's target calls use it too), with SSL from the environment's keystores. */
public interface HttpCalls {
    /**
     * @param ssl null or disabled for plain HTTP
     * @throws java.net.http.HttpConnectTimeoutException (an IOException) when the connect timeout expires,
     *     java.net.http.HttpTimeoutException when the io timeout expires
     */
    HttpResponseData send(HttpRequestData req, SslInfo ssl, Duration connectTimeout, Duration ioTimeout) throws IOException;
}
