package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.sandbox.ScaAuthorisations.Authorisation;
import eu.securehub.psd2.sandbox.ScaAuthorisations.ScaStatus;
import eu.securehub.psd2.sandbox.oauth.AccountOption;
import eu.securehub.psd2.sandbox.oauth.BankDirectory;
import eu.securehub.psd2.sandbox.oauth.ConsentSummary;
import eu.securehub.psd2.sandbox.oauth.Pages;
import eu.securehub.psd2.sandbox.oauth.PaymentSummary;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The bank's SCA page of the REDIRECT dialect (redirect approach without OAuth), {@code GET/POST
 * /sca/<authorisationId>}, for a browser without a client certificate. It shows the OAuth server's login form, then
 * its consent form, or for a payment (or the cancellation of a standing order) its payment form ({@link Pages}: the
 * same field names and buttons), then redirects (302) to the TPP-Redirect-URI after
 * approval, or to the TPP-Nok-Redirect-URI (else the TPP-Redirect-URI) after denial, cancellation or too many wrong
 * passwords. An unknown or finished authorisation is an error page (400) without redirect.
 */
final class ScaPage {

  static final int MAX_LOGIN_ATTEMPTS = 5;

  private final ScaAuthorisations sca;
  private final BankDirectory bank;
  private final ScaAuthorisations.Decider decider;
  private final String bankName;

  /**
   * @param bank    what the pages show (consents, payments) and the customers' logins
   * @param decider carries out the customer's decision
   */
  ScaPage(ScaAuthorisations sca, BankDirectory bank, ScaAuthorisations.Decider decider, String bankName) {
    this.sca = sca;
    this.bank = bank;
    this.decider = decider;
    this.bankName = bankName;
  }

  static boolean handles(String path) {
    return path.startsWith(ScaAuthorisations.SCA_PAGE_PATH);
  }

  void handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    String id = path.substring(ScaAuthorisations.SCA_PAGE_PATH.length());
    Optional<Authorisation> found = sca.forScaPage(id);
    if (found.isEmpty()) {
      error(response, callback, 400, "Unknown authorisation", "This authorisation is unknown.");
      return;
    }
    Authorisation a = found.get();
    synchronized (a) {
      if (a.status.finished()) {
        error(response, callback, 400, "Authorisation finished", "This authorisation is already finished.");
        return;
      }
      boolean consent = a.subject.kind() == ScaAuthorisations.Kind.CONSENT;
      if (decider.notAuthorisable(a.subject) != null) {
        a.status = ScaStatus.FAILED;
        error(response, callback, 400, consent ? "Consent not available" : "Payment not available", consent
            ? "This consent can no longer be authorised." : a.subject.kind() == ScaAuthorisations.Kind.PAYMENT
            ? "This payment can no longer be authorised." : "This cancellation can no longer be authorised.");
        return;
      }
      switch (request.getMethod()) {
        case "GET" -> show(response, callback, a, null);
        case "POST" -> post(request, response, callback, a);
        default -> {
          response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
          error(response, callback, 405, "Not allowed", "This page accepts only GET and POST.");
        }
      }
    }
  }

  /**
   * The page of the current stage: login until the customer has logged in, then the consent (or the payment). The
   * caller has checked that the subject awaits authorisation.
   */
  private void show(Response response, Callback callback, Authorisation a, String error) {
    a.csrf = sca.newCsrf();
    String action = ScaAuthorisations.SCA_PAGE_PATH + a.id;
    boolean loggedIn = a.status == ScaStatus.PSU_AUTHENTICATED;
    String page;
    if (a.subject.kind() == ScaAuthorisations.Kind.CONSENT) {
      ConsentSummary consent = bank.consent(a.subject.id()).orElseThrow();
      page = loggedIn ? Pages.consent(bankName, action, a.tppOrganisation, a.id, a.csrf, consent,
          bank.selectableAccounts(a.subject.id(), a.customerId), error)
          : Pages.login(bankName, action, a.tppOrganisation, a.id, a.csrf, error);
    } else {
      PaymentSummary payment = bank.payment(a.subject.id()).orElseThrow();
      page = loggedIn ? Pages.payment(bankName, action, a.tppOrganisation, a.id, a.csrf, payment, error)
          : Pages.login(bankName, action, a.tppOrganisation, a.id, a.csrf, error, payment);
    }
    Pages.send(response, callback, 200, page);
  }

  private void post(Request request, Response response, Callback callback, Authorisation a) {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    Fields form;
    try {
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
        throw new IllegalArgumentException("not a form");
      }
      form = FormFields.getFields(request);
    } catch (RuntimeException e) {
      error(response, callback, 400, "Invalid request", "The form cannot be read.");
      return;
    }
    String csrf = value(form, "csrf_token");
    if (!a.id.equals(value(form, "tx")) || csrf == null || a.csrf == null || !MessageDigest.isEqual(
        csrf.getBytes(StandardCharsets.US_ASCII), a.csrf.getBytes(StandardCharsets.US_ASCII))) {
      error(response, callback, 403, "Form not accepted",
          "This form is no longer valid. Go back and submit the latest page again.");
      return;
    }
    String action = value(form, "action");
    boolean loggedIn = a.status == ScaStatus.PSU_AUTHENTICATED;
    if (!loggedIn && "login".equals(action)) {
      login(response, callback, a, form);
    } else if ((!loggedIn && "cancel".equals(action)) || (loggedIn && "deny".equals(action))) {
      ScaAuthorisations.conclude(decider, a, false, List.of());
      redirect(response, callback, a);
    } else if (loggedIn && "approve".equals(action)) {
      approve(response, callback, a, form);
    } else {
      error(response, callback, 400, "Invalid request", "This step is not expected now.");
    }
  }

  private void login(Response response, Callback callback, Authorisation a, Fields form) {
    String username = value(form, "username");
    String password = value(form, "password");
    Optional<String> customer = Optional.empty();
    if (username != null && password != null) {
      char[] secret = password.toCharArray();
      try {
        customer = bank.authenticate(username, secret);
      } finally {
        java.util.Arrays.fill(secret, '\0');
      }
    }
    if (customer.isEmpty()) {
      a.loginFailures++;
      if (a.loginFailures >= MAX_LOGIN_ATTEMPTS) {
        ScaAuthorisations.conclude(decider, a, false, List.of());
        redirect(response, callback, a);
        return;
      }
      show(response, callback, a, username == null || password == null
          ? "Enter your username and password." : "The username or password is not correct.");
      return;
    }
    a.customerId = customer.get();
    a.status = ScaStatus.PSU_AUTHENTICATED;
    show(response, callback, a, null);
  }

  private void approve(Response response, Callback callback, Authorisation a, Fields form) {
    List<AccountOption> options = a.subject.kind() == ScaAuthorisations.Kind.CONSENT
        ? bank.selectableAccounts(a.subject.id(), a.customerId) : List.of();
    List<String> chosen = new ArrayList<>();
    if (!options.isEmpty()) {
      List<String> offered = options.stream().map(AccountOption::accountId).toList();
      for (String id : form.getValuesOrEmpty("account")) {
        if (!offered.contains(id)) {
          chosen.clear();
          break;
        }
        if (!chosen.contains(id)) {
          chosen.add(id);
        }
      }
      if (chosen.isEmpty()) {
        show(response, callback, a, "Choose at least one of the accounts listed.");
        return;
      }
    }
    ScaAuthorisations.conclude(decider, a, true, chosen);
    redirect(response, callback, a);
  }

  /** 302 to the TPP: its TPP-Redirect-URI when finalised, else its TPP-Nok-Redirect-URI (or TPP-Redirect-URI). */
  private static void redirect(Response response, Callback callback, Authorisation a) {
    String location = a.status == ScaStatus.FINALISED || a.nokRedirectUri == null ? a.redirectUri : a.nokRedirectUri;
    response.setStatus(302);
    response.getHeaders().put(HttpHeader.LOCATION, location);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
    response.write(true, null, callback);
  }

  private void error(Response response, Callback callback, int status, String title, String message) {
    Pages.send(response, callback, status, Pages.error(bankName, title, message));
  }

  /** One form field: absent, empty or repeated → null. */
  private static String value(Fields fields, String name) {
    Fields.Field f = fields.get(name);
    if (f == null || f.getValues().size() != 1) {
      return null;
    }
    String v = f.getValue();
    return v == null || v.isEmpty() ? null : v;
  }
}
