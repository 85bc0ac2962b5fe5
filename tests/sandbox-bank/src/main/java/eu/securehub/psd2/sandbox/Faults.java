package eu.securehub.psd2.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run-time fault injection of one sandbox bank (no restart): added latency, a hang until the client gives up, a
 * rate of 5xx (or 429 ACCESS_EXCEEDED) answers, connection resets, a one-shot 401 TOKEN_EXPIRED. They apply to the HTTPS port (the Berlin Group API and the authorisation
 * server; {@link #pathPrefix} narrows them), never to the admin port. The expired server certificate is switched on
 * {@link SandboxBank#useExpiredServerCertificate}. Thread-safe; every setter takes effect for the next request.
 */
public final class Faults {

  /**
   * The current faults.
   *
   * @param latency         added before the bank answers (zero: none)
   * @param hang            the bank never answers (until the client gives up, or {@code hangLimit} passes)
   * @param hangLimit       how long a hung request is held at most before its connection is dropped
   * @param errorRate       the share of requests answered with {@code errorStatus} (0 to 1), spread evenly and
   *                        deterministically from the first request on: 0.5 fails the 1st, 3rd, 5th …, 1 every
   *                        request
   * @param errorStatus     the 5xx status of those answers (default 503), or 429 (answered on /v1 with a Berlin
   *                        Group ACCESS_EXCEEDED body whether or not {@code errorBody} is set)
   * @param errorBody       add a Berlin Group tppMessages body to those answers on /v1 (the 1.3.9 OpenAPI file
   *                        defines no body for AIS/PIS 500 and 503, so this violates the contract on purpose)
   * @param connectionReset the bank resets the TCP connection (RST) instead of answering
   * @param pathPrefix      the faults apply to paths starting with this ("/" for all)
   */
  public record Settings(Duration latency, boolean hang, Duration hangLimit, double errorRate, int errorStatus,
                         boolean errorBody, boolean connectionReset, String pathPrefix) {

    public static final Settings NONE = new Settings(Duration.ZERO, false, Duration.ofMinutes(5), 0, 503, false,
        false, "/");

    public Settings {
      Objects.requireNonNull(latency, "latency");
      Objects.requireNonNull(hangLimit, "hangLimit");
      Objects.requireNonNull(pathPrefix, "pathPrefix");
      if (latency.isNegative()) {
        throw new IllegalArgumentException("latency must not be negative");
      }
      if (errorRate < 0 || errorRate > 1 || Double.isNaN(errorRate)) {
        throw new IllegalArgumentException("errorRate must lie between 0 and 1");
      }
      if (errorStatus != 429 && (errorStatus < 500 || errorStatus > 599)) {
        throw new IllegalArgumentException("errorStatus must be a 5xx status or 429");
      }
      if (!pathPrefix.startsWith("/")) {
        throw new IllegalArgumentException("pathPrefix must start with /");
      }
    }

    public boolean active() {
      return !latency.isZero() || hang || errorRate > 0 || connectionReset;
    }
  }

  private final AtomicReference<Settings> settings = new AtomicReference<>(Settings.NONE);
  private final AtomicLong errorCandidates = new AtomicLong();
  private final AtomicLong injected = new AtomicLong();
  private final AtomicBoolean tokenExpiredOnce = new AtomicBoolean();
  private final AtomicBoolean tamperOnce = new AtomicBoolean();
  private final Runnable onClear;

  Faults(Runnable onClear) {
    this.onClear = onClear;
  }

  public Settings settings() {
    return settings.get();
  }

  /** Replaces every fault at once. */
  public Faults set(Settings s) {
    settings.set(Objects.requireNonNull(s, "settings"));
    errorCandidates.set(0);
    return this;
  }

  public Faults latency(Duration latency) {
    Settings s = settings.get();
    return set(new Settings(latency, s.hang(), s.hangLimit(), s.errorRate(), s.errorStatus(), s.errorBody(),
        s.connectionReset(), s.pathPrefix()));
  }

  public Faults hang(boolean hang) {
    Settings s = settings.get();
    return set(new Settings(s.latency(), hang, s.hangLimit(), s.errorRate(), s.errorStatus(), s.errorBody(),
        s.connectionReset(), s.pathPrefix()));
  }

  public Faults errorRate(double rate) {
    return errorRate(rate, settings.get().errorStatus());
  }

  public Faults errorRate(double rate, int status) {
    Settings s = settings.get();
    return set(new Settings(s.latency(), s.hang(), s.hangLimit(), rate, status, s.errorBody(),
        s.connectionReset(), s.pathPrefix()));
  }

  public Faults errorBody(boolean errorBody) {
    Settings s = settings.get();
    return set(new Settings(s.latency(), s.hang(), s.hangLimit(), s.errorRate(), s.errorStatus(), errorBody,
        s.connectionReset(), s.pathPrefix()));
  }

  public Faults connectionReset(boolean reset) {
    Settings s = settings.get();
    return set(new Settings(s.latency(), s.hang(), s.hangLimit(), s.errorRate(), s.errorStatus(), s.errorBody(),
        reset, s.pathPrefix()));
  }

  public Faults pathPrefix(String prefix) {
    Settings s = settings.get();
    return set(new Settings(s.latency(), s.hang(), s.hangLimit(), s.errorRate(), s.errorStatus(), s.errorBody(),
        s.connectionReset(), prefix));
  }

  /**
   * Arms (or disarms) a one-shot fault: the next Berlin Group request (/v1) under {@link Settings#pathPrefix} is
   * answered 401 TOKEN_EXPIRED whatever its token, as a bank that expired the token early would; the requests
   * after it are served normally. Independent of the other settings ({@link #set} keeps it; {@link #clear}
   * disarms it).
   */
  public Faults tokenExpiredOnce(boolean armed) {
    tokenExpiredOnce.set(armed);
    return this;
  }

  /** Whether the one-shot TOKEN_EXPIRED is armed and not yet used. */
  public boolean tokenExpiredOnce() {
    return tokenExpiredOnce.get();
  }

  /** Uses the one-shot TOKEN_EXPIRED: true once after {@code tokenExpiredOnce(true)}. */
  boolean takeTokenExpired() {
    return tokenExpiredOnce.compareAndSet(true, false);
  }

  /**
   * Arms (or disarms) a one-shot fault for a bank that {@link SandboxBank.Builder#requireSignatures requires
   * signatures}: the next Berlin Group request (/v1) under {@link Settings#pathPrefix} arrives with its {@code Digest}
   * header rewritten (a hop in between that changed the signed message): it no longer matches the body nor the
   * signature, and the bank answers SIGNATURE_INVALID as it would for any altered request. Independent of the other settings
   * ({@link #clear} disarms it).
   */
  public Faults tamperOnce(boolean armed) {
    tamperOnce.set(armed);
    return this;
  }

  /** Whether the one-shot tampering is armed and not yet used. */
  public boolean tamperOnce() {
    return tamperOnce.get();
  }

  /** Uses the one-shot tampering: true once after {@code tamperOnce(true)}. */
  boolean takeTamper() {
    return tamperOnce.compareAndSet(true, false);
  }

  /** Removes every fault and releases hung requests (their connections are dropped). */
  public Faults clear() {
    tokenExpiredOnce.set(false);
    tamperOnce.set(false);
    set(Settings.NONE);
    onClear.run();
    return this;
  }

  /** How many requests a fault changed (latency included) since the bank started. */
  public long injected() {
    return injected.get();
  }

  void countInjected() {
    injected.incrementAndGet();
  }

  /** Whether this request gets an error answer: the n-th candidate fails when ceil(n·rate) grows. */
  boolean nextIsError(double rate) {
    if (rate <= 0) {
      return false;
    }
    long n = errorCandidates.incrementAndGet();
    return Math.ceil(n * rate - 1e-9) > Math.ceil((n - 1) * rate - 1e-9);
  }
}
