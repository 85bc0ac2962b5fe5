package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange.SignatureCheck;
import eu.securehub.psd2.sandbox.Http.Call;
import eu.securehub.psd2.sandbox.Http.Reply;
import eu.securehub.psd2.sandbox.oauth.AuthorizationServer;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The QSEAL signature of a signing bank's OAuth endpoints: {@code POST /oauth/token} whenever the bank requires
 * signatures, {@code POST /oauth/par} only when asked for too. The same rules as on /v1 ({@link SignatureVerifier}:
 * Digest over the raw form body, Signature with digest and x-request-id, TPP-Signature-Certificate a QSEAL of the
 * QWAC's organisation); a refusal is an OAuth error whose description starts with the Berlin Group code. Every checked
 * call is recorded ({@link TokenEndpointCall}). Thread-safe.
 */
final class OAuthSignatures {

  /** The outcome of one check, and the request to hand to the authorisation server (its body replayed). */
  record Checked(Request request, SignatureVerifier.Outcome outcome, String grantType, String requestId) {
  }

  private final SignatureVerifier verifier;
  private final TppCertificateCheck certificates;
  private final boolean par;
  private final int maxRecorded;
  private final List<TokenEndpointCall> calls = Collections.synchronizedList(new ArrayList<>());

  /**
   * @param verifier the bank's signature verifier, or null when the bank does not require signatures (nothing is
   *                 checked then)
   * @param par      also check {@code /oauth/par}
   */
  OAuthSignatures(SignatureVerifier verifier, TppCertificateCheck certificates, boolean par, int maxRecorded) {
    this.verifier = verifier;
    this.certificates = certificates;
    this.par = par;
    this.maxRecorded = maxRecorded;
  }

  /** True when a POST to this path must be signed. */
  boolean required(String method, String path) {
    return verifier != null && "POST".equals(method) && (AuthorizationServer.TOKEN_PATH.equals(path)
        || (par && AuthorizationServer.PAR_PATH.equals(path)));
  }

  boolean parRequired() {
    return verifier != null && par;
  }

  /** Reads the body and verifies the signature (after the QWAC check passed). */
  Checked check(Request request, X509Certificate[] peerCertificates) throws IOException {
    byte[] body = Content.Source.asInputStream(request).readAllBytes();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HttpField field : request.getHeaders()) {
      headers.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
    }
    Call call = new Call(request.getMethod(), Request.getPathInContext(request), Map.of(), headers, body,
        peerCertificates);
    TppCertificateCheck.Result qwac = certificates.check(peerCertificates, null);
    SignatureVerifier.Outcome outcome = verifier.verify(call, request.getHttpURI().getPathQuery(),
        qwac.ok() ? qwac.organisation() : null);
    return new Checked(new Replayed(request, body), outcome, formValue(body, "grant_type"),
        call.header("X-Request-ID"));
  }

  /**
   * The OAuth error for a refused signature: a missing one is 400 invalid_request (a required header is absent), an
   * invalid signature or seal certificate 401 invalid_client (the TPP is not authenticated); the description is
   * {@code <Berlin Group code>: <text>}.
   */
  static Reply refusal(SignatureVerifier.Outcome outcome) {
    boolean missing = outcome.check() == SignatureCheck.MISSING;
    com.fasterxml.jackson.databind.node.ObjectNode body = Http.JSON.createObjectNode()
        .put("error", missing ? "invalid_request" : "invalid_client")
        .put("error_description", outcome.code() + ": " + outcome.text());
    return Reply.json(missing ? 400 : 401, body).with("Cache-Control", "no-store").with("Pragma", "no-cache");
  }

  void record(String path, Checked checked, int status) {
    synchronized (calls) {
      calls.add(new TokenEndpointCall(path, checked.grantType(), checked.requestId(), status,
          checked.outcome().check()));
      while (calls.size() > maxRecorded) {
        calls.remove(0);
      }
    }
  }

  /** The response, recording the call with its status when the authorisation server writes its answer. */
  Response recording(Request request, Response response, String path, Checked checked) {
    return new Response.Wrapper(request, response) {
      private boolean recorded;

      @Override
      public void write(boolean last, ByteBuffer content, Callback callback) {
        if (last && !recorded) {
          recorded = true;
          record(path, checked, getStatus());
        }
        super.write(last, content, callback);
      }
    };
  }

  List<TokenEndpointCall> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  void clear() {
    calls.clear();
  }

  /** The first value of a form field of an application/x-www-form-urlencoded body, or null. */
  static String formValue(byte[] body, String name) {
    for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      try {
        if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
          return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  /** The request with its body, already read for the digest, served again to whoever reads it next. */
  static final class Replayed extends Request.Wrapper {
    private final AtomicReference<Content.Chunk> chunk;
    private final long length;

    Replayed(Request wrapped, byte[] body) {
      super(wrapped);
      this.chunk = new AtomicReference<>(Content.Chunk.from(ByteBuffer.wrap(body), true));
      this.length = body.length;
    }

    @Override
    public Content.Chunk read() {
      Content.Chunk c = chunk.getAndSet(null);
      return c != null ? c : Content.Chunk.EOF;
    }

    @Override
    public void demand(Runnable demandCallback) {
      demandCallback.run();
    }

    @Override
    public boolean consumeAvailable() {
      chunk.set(null);
      return true;
    }

    @Override
    public long getLength() {
      return length;
    }
  }
}
