package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange.SignatureCheck;

/**
 * One call of a signing bank's OAuth endpoint ({@code POST /oauth/token}, or {@code /oauth/par} when the bank
 * requires signatures there too) and the bank's check of its QSEAL signature; see {@link
 * SandboxBank#tokenEndpointCalls()}.
 *
 * @param endpoint  {@code /oauth/token} or {@code /oauth/par}
 * @param grantType the form's {@code grant_type} ({@code authorization_code}, {@code refresh_token}, …), or null
 *                  (PAR, or a form without one)
 * @param requestId the request's {@code X-Request-ID}, or null
 * @param status    the status the bank answered with (400/401 when it refused the signature)
 * @param signature the outcome of the signature check (never {@code NOT_REQUIRED}: only checked calls are recorded)
 */
public record TokenEndpointCall(String endpoint, String grantType, String requestId, int status,
                                SignatureCheck signature) {

  /** True when the signature was checked and valid. */
  public boolean signedAndValid() {
    return signature == SignatureCheck.VALID;
  }
}
