package eu.securehub.psd2.bundletests;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRM-facing spec {@code apiproxy/resources/oas/psd2-hub-v1.yaml}: it parses cleanly as OpenAPI 3.0, the
 * proxy's OASValidation policies name it, and sample requests pass or fail as the CRM would see them.
 *
 * <p>Requests are sent with the full path ({@code /psd2/v1/...}) and the validator strips the proxy base path, as
 * Apigee's OASValidation does: it matches the request path minus the proxy's base path against {@code paths}.
 */
class OpenApiSpecTest {

  static final String SPEC = "psd2-hub-v1.yaml";
  static final String BASE = "/psd2/v1";
  static final String UUID = "0b7f2f0e-4c1a-4a8e-9d7e-2b1c3d4e5f60";
  static final String STATE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO_-";
  static final String API_KEY = "crm-app-consumer-key";
  static final String BEARER = "Bearer hub_" + "x".repeat(48);

  static final String VALID_CONSENT = """
      {"returnUrl": "https://crm.example.eu/psd2/return",
       "access": {"accounts": [{"iban": "DE89370400440532013000", "currency": "EUR"}],
                  "balances": [{"iban": "DE89370400440532013000"}],
                  "transactions": [{"iban": "DE89370400440532013000"}]},
       "recurringIndicator": true, "validUntil": "2030-12-31", "frequencyPerDay": 4}""";

  private static Path root;
  private static Path spec;
  private static OpenApiInteractionValidator validator;

  @BeforeAll
  static void load() {
    root = Hub.locateRoot();
    spec = root.resolve("apiproxy/resources/oas").resolve(SPEC);
    assertThat(spec).as("the CRM-facing spec").isRegularFile();
    try {
      // The YAML as it is (the validator's URL loader does not take file: URLs).
      validator = OpenApiInteractionValidator.createForInlineApiSpecification(Files.readString(spec))
          .withBasePathOverride(BASE)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OpenApiInteractionValidator.ApiLoadException e) {
      throw new AssertionError("the request validator cannot load " + spec + ": " + e.getParseMessages(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------- the spec

  @Test
  void theSpecParsesAsOpenApi30WithoutMessages() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readLocation(spec.toUri().toString(), null, options);

    assertThat(result.getMessages()).as("parser messages").isEmpty();
    OpenAPI api = result.getOpenAPI();
    assertThat(api).isNotNull();
    // Apigee's OASValidation documents OpenAPI 3.0 only.
    assertThat(api.getOpenapi()).startsWith("3.0.");
    assertThat(api.getServers()).singleElement().satisfies(s -> assertThat(s.getUrl()).endsWith(BASE));
    assertThat(api.getPaths().keySet())
        .as("paths are relative to the proxy base path")
        .containsExactlyInAnyOrder("/banks/{bankId}/consents", "/oauth/callback", "/sca/callback",
            "/authorisations/status", "/sessions", "/accounts",
            "/accounts/{accountId}/balances", "/accounts/{accountId}/transactions", "/consents/current",
            "/banks/{bankId}/payments/{paymentProduct}", "/banks/{bankId}/periodic-payments/{paymentProduct}",
            "/payments/{paymentId}", "/payments/{paymentId}/status")
        .noneMatch(p -> p.startsWith(BASE));
  }

  @Test
  void theProblemTypesAreTheDocumentedSlugs() {
    OpenAPI api = new OpenAPIV3Parser().read(spec.toUri().toString());
    Schema<?> type = (Schema<?>) api.getComponents().getSchemas().get("Problem").getProperties().get("type");
    List<String> slugs = type.getEnum().stream().map(Object::toString).map(s -> s.replace("urn:psd2-hub:problem:", ""))
        .toList();
    assertThat(slugs).containsExactlyInAnyOrder("validation-failed", "unauthenticated", "invalid-token", "forbidden",
        "consent-invalid", "unknown-bank", "not-found", "session-not-found", "method-not-allowed",
        "authorisation-expired", "authorisation-failed", "payload-too-large", "budget-exhausted", "rate-limited",
        "bank-error", "bank-unavailable", "bank-timeout", "key-service-unavailable", "internal-error");
    String description = api.getInfo().getDescription();
    slugs.forEach(s -> assertThat(description).as("the error table documents %s", s).contains("| " + s + " |"));
  }

  @Test
  void everyOasValidationPolicyOfTheProxyNamesAnExistingSpec() {
    Bundle source = Bundle.at(Bundle.Kind.PROXY, root.resolve("apiproxy"), root);
    assertThat(Rules.oasResources(List.of(source))).isEmpty();
  }

  @Test
  void theProxyValidatesRequestsAgainstThisSpec() {
    Bundle source = Bundle.at(Bundle.Kind.PROXY, root.resolve("apiproxy"), root);
    List<String> policies = source.policies().values().stream()
        .filter(p -> p.type().equals("OASValidation"))
        .filter(p -> Xml.childText(p.root(), "OASResource").equals("oas://" + SPEC))
        .map(Bundle.Policy::name)
        .toList();
    assertThat(policies).as("OASValidation policies in apiproxy/policies naming oas://" + SPEC).isNotEmpty();
    assertThat(Rules.stepNames(source)).as("steps of apiproxy/").containsAll(policies);
  }

  // ---------------------------------------------------------------------------------------------- requests

  static final String PAYMENT_ID = "pay_" + "Ab3-_x".repeat(8);
  static final String PAYMENT = """
      {"instructedAmount": {"currency": "EUR", "amount": "123.45"}, "debtorAccount": {"iban": "DE89370400440532013000"},
       "creditorName": "Stadtwerke", "creditorAccount": {"iban": "DE02120300000000202051"},
       "remittanceInformationUnstructured": "Invoice 4711", "returnUrl": "https://crm.example.eu/psd2/return"}""";

  static SimpleRequest.Builder payment(String service, String product, String body) {
    return SimpleRequest.Builder.post(BASE + "/banks/sandbox-a/" + service + "/" + product)
        .withContentType("application/json")
        .withHeader("x-api-key", API_KEY)
        .withHeader("Idempotency-Key", "9f1c2d6e-1b7a-4c55-8a0e-3c2b1f0d9e77")
        .withHeader("PSU-IP-Address", "192.0.2.10")
        .withBody(body);
  }

  static SimpleRequest.Builder consent(String bankId, String body) {
    return consent(bankId, body, "192.0.2.10", UUID);
  }

  static SimpleRequest.Builder consent(String bankId, String body, String psuIpAddress, String requestId) {
    return SimpleRequest.Builder.post(BASE + "/banks/" + bankId + "/consents")
        .withContentType("application/json")
        .withHeader("x-api-key", API_KEY)
        .withHeader("X-Request-ID", requestId)
        .withHeader("PSU-IP-Address", psuIpAddress)
        .withBody(body);
  }

  static SimpleRequest.Builder session(String body) {
    return SimpleRequest.Builder.post(BASE + "/sessions")
        .withContentType("application/json")
        .withHeader("x-api-key", API_KEY)
        .withBody(body);
  }

  static SimpleRequest.Builder transactions(String accountId) {
    return SimpleRequest.Builder.get(BASE + "/accounts/" + accountId + "/transactions")
        .withHeader("x-api-key", API_KEY)
        .withHeader("Authorization", BEARER)
        .withQueryParam("dateFrom", "2025-01-01")
        .withQueryParam("bookingStatus", "booked");
  }

  static SimpleRequest.Builder callback() {
    return SimpleRequest.Builder.get(BASE + "/oauth/callback")
        .withQueryParam("state", STATE)
        .withQueryParam("code", "SplxlOBeZQQYbYS6WxSbIA")
        .withQueryParam("iss", "https://sandbox-a.bank.example");
  }

  static String consentWith(UnaryOperator<String> change) {
    return change.apply(VALID_CONSENT);
  }

  static Stream<Arguments> validRequests() {
    return Stream.of(
        Arguments.of("consent creation", consent("sandbox-a", VALID_CONSENT).build()),
        Arguments.of("consent for all accounts, IPv6 PSU, loopback return URL", consent("bank-2", """
            {"returnUrl": "http://127.0.0.1:8080/return", "access": {"allPsd2": "allAccounts"},
             "recurringIndicator": false, "validUntil": "2030-01-01", "frequencyPerDay": 1,
             "combinedServiceIndicator": false}""", "2001:db8::8a2e:370:7334", UUID).build()),
        Arguments.of("consent for the list of accounts (empty arrays)", consent("sandbox-a", """
            {"returnUrl": "https://crm.example.eu/psd2/return", "access": {"accounts": [], "balances": [],
             "transactions": []}, "recurringIndicator": false, "validUntil": "2030-12-31", "frequencyPerDay": 1}""")
            .build()),
        Arguments.of("consent by masked PAN and MSISDN", consent("sandbox-a", """
            {"returnUrl": "https://crm.example.eu/psd2/return", "access": {"accounts": [{"maskedPan": "123456xxxxxx1234"},
             {"msisdn": "+49 170 1234567"}]}, "recurringIndicator": true, "validUntil": "2030-12-31",
             "frequencyPerDay": 2}""").build()),
        Arguments.of("session collection", session("{\"state\": \"" + STATE + "\"}").build()),
        Arguments.of("bank redirect without API key", callback().build()),
        Arguments.of("bank redirect with an error", SimpleRequest.Builder.get(BASE + "/oauth/callback")
            .withQueryParam("state", STATE).withQueryParam("error", "access_denied")
            .withQueryParam("error_description", "The user denied access").build()),
        Arguments.of("account list", SimpleRequest.Builder.get(BASE + "/accounts").withHeader("x-api-key", API_KEY)
            .withHeader("Authorization", BEARER).withQueryParam("withBalance", "true").build()),
        Arguments.of("balances, PSU present", SimpleRequest.Builder.get(BASE + "/accounts/3dc3d5b3-7023/balances")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER)
            .withHeader("PSU-IP-Address", "198.51.100.7").build()),
        Arguments.of("transactions with every parameter", transactions("acc.1_2-3").withQueryParam("dateTo", "2025-01-31")
            .withQueryParam("entryReferenceFrom", "1234-abc").withQueryParam("deltaList", "false")
            .withQueryParam("withBalance", "true").withQueryParam("pageIndex", "0").withQueryParam("itemsPerPage", "50").build()),
        Arguments.of("current consent", SimpleRequest.Builder.get(BASE + "/consents/current")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER).build()),
        Arguments.of("consent revocation", SimpleRequest.Builder.delete(BASE + "/consents/current")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER).build()),
        Arguments.of("single payment", payment("payments", "sepa-credit-transfers", PAYMENT).build()),
        Arguments.of("instant payment, decoupled bank", payment("payments", "instant-sepa-credit-transfers",
            PAYMENT.replace("\"returnUrl\"", "\"psuId\": \"clara\", \"returnUrl\"")).build()),
        Arguments.of("standing order", payment("periodic-payments", "sepa-credit-transfers", PAYMENT.replace("\"returnUrl\"",
            "\"startDate\": \"2030-01-01\", \"frequency\": \"Monthly\", \"dayOfExecution\": \"1\", \"returnUrl\"")).build()),
        Arguments.of("payment status", SimpleRequest.Builder.get(BASE + "/payments/" + PAYMENT_ID + "/status")
            .withHeader("x-api-key", API_KEY).build()),
        Arguments.of("payment cancellation", SimpleRequest.Builder.delete(BASE + "/payments/" + PAYMENT_ID)
            .withHeader("x-api-key", API_KEY).withHeader("PSU-IP-Address", "192.0.2.10")
            .withQueryParam("returnUrl", "https://crm.example.eu/psd2/return").build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validRequests")
  void validRequestsPass(String title, Request request) {
    ValidationReport report = validator.validateRequest(request);
    assertThat(report.hasErrors()).as(describe(report)).isFalse();
  }

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        Arguments.of("missing field", consent("sandbox-a", consentWith(s -> s.replace(", \"frequencyPerDay\": 4", ""))).build(),
            "validation.request.body.schema.required"),
        Arguments.of("missing access", consent("sandbox-a", """
            {"returnUrl": "https://crm.example.eu/r", "recurringIndicator": true, "validUntil": "2030-12-31",
             "frequencyPerDay": 4}""").build(), "validation.request.body.schema.required"),
        Arguments.of("extra field", consent("sandbox-a", consentWith(s -> s.replace("\"recurringIndicator\"",
            "\"debug\": true, \"recurringIndicator\""))).build(), "validation.request.body.schema.additionalProperties"),
        Arguments.of("extra field in an account reference", consent("sandbox-a", consentWith(s -> s.replace(
            "\"currency\": \"EUR\"", "\"currency\": \"EUR\", \"owner\": \"x\""))).build(), "validation.request.body.schema"),
        Arguments.of("wrong type", consent("sandbox-a", consentWith(s -> s.replace("\"recurringIndicator\": true",
            "\"recurringIndicator\": \"yes\""))).build(), "validation.request.body.schema.type"),
        Arguments.of("frequencyPerDay above 4", consent("sandbox-a", consentWith(s -> s.replace("\"frequencyPerDay\": 4",
            "\"frequencyPerDay\": 5"))).build(), "validation.request.body.schema.maximum"),
        Arguments.of("validUntil not a date", consent("sandbox-a", consentWith(s -> s.replace("2030-12-31",
            "31.12.2030"))).build(), "validation.request.body.schema"),
        Arguments.of("plain http return URL", consent("sandbox-a", consentWith(s -> s.replace("https://crm.example.eu",
            "http://crm.example.eu"))).build(), "validation.request.body.schema.pattern"),
        Arguments.of("return URL too long", consent("sandbox-a", consentWith(s -> s.replace("/psd2/return",
            "/" + "a".repeat(2100)))).build(), "validation.request.body.schema.maxLength"),
        Arguments.of("IBAN and BBAN in one reference", consent("sandbox-a", consentWith(s -> s.replace(
            "\"currency\": \"EUR\"", "\"bban\": \"370400440532013000\""))).build(), "validation.request.body.schema.oneOf"),
        Arguments.of("malformed IBAN", consent("sandbox-a", consentWith(s -> s.replaceFirst("DE89370400440532013000",
            "de89 3704"))).build(), "validation.request.body.schema.pattern"),
        Arguments.of("unknown allPsd2 value", consent("sandbox-a", """
            {"returnUrl": "https://crm.example.eu/r", "access": {"allPsd2": "everything"}, "recurringIndicator": true,
             "validUntil": "2030-12-31", "frequencyPerDay": 4}""").build(), "validation.request.body.schema.enum"),
        Arguments.of("empty access", consent("sandbox-a", """
            {"returnUrl": "https://crm.example.eu/r", "access": {}, "recurringIndicator": true,
             "validUntil": "2030-12-31", "frequencyPerDay": 4}""").build(), "validation.request.body.schema.minProperties"),
        Arguments.of("body not JSON", consent("sandbox-a", "returnUrl=https://crm.example.eu").build(),
            "validation.request.body.schema.invalidJson"),
        Arguments.of("bad bankId", consent("Bank_A", VALID_CONSENT).build(), "validation.request.parameter.schema.pattern"),
        Arguments.of("bankId too long", consent("b" + "a".repeat(40), VALID_CONSENT).build(),
            "validation.request.parameter.schema"),
        Arguments.of("consent without PSU-IP-Address", SimpleRequest.Builder.post(BASE + "/banks/sandbox-a/consents")
            .withContentType("application/json").withHeader("x-api-key", API_KEY).withBody(VALID_CONSENT).build(),
            "validation.request.parameter.header.missing"),
        Arguments.of("malformed PSU-IP-Address", consent("sandbox-a", VALID_CONSENT, "300.1.2.3", UUID).build(),
            "validation.request.parameter.schema.pattern"),
        Arguments.of("PSU-IP-Address not an address", consent("sandbox-a", VALID_CONSENT, "localhost", UUID).build(),
            "validation.request.parameter.schema.pattern"),
        Arguments.of("X-Request-ID not a UUID", consent("sandbox-a", VALID_CONSENT, "192.0.2.10", "req-1").build(),
            "validation.request.parameter.schema"),
        Arguments.of("consent without API key", SimpleRequest.Builder.post(BASE + "/banks/sandbox-a/consents")
            .withContentType("application/json").withHeader("PSU-IP-Address", "192.0.2.10").withBody(VALID_CONSENT).build(),
            "validation.request.security.missing"),
        Arguments.of("bad state", session("{\"state\": \"" + STATE.substring(1) + "\"}").build(),
            "validation.request.body.schema.minLength"),
        Arguments.of("state with other characters", session("{\"state\": \"" + STATE.replace('_', '+') + "\"}").build(),
            "validation.request.body.schema.pattern"),
        Arguments.of("session with an extra field", session("{\"state\": \"" + STATE + "\", \"bankId\": \"x\"}").build(),
            "validation.request.body.schema.additionalProperties"),
        Arguments.of("session without state", session("{}").build(), "validation.request.body.schema.required"),
        Arguments.of("callback with a bad state", SimpleRequest.Builder.get(BASE + "/oauth/callback")
            .withQueryParam("state", "x").withQueryParam("code", "abc").build(), "validation.request.parameter.schema"),
        Arguments.of("callback without state", SimpleRequest.Builder.get(BASE + "/oauth/callback")
            .withQueryParam("code", "abc").build(), "validation.request.parameter.query.missing"),
        Arguments.of("accounts without hub token", SimpleRequest.Builder.get(BASE + "/accounts")
            .withHeader("x-api-key", API_KEY).build(), "validation.request.security"),
        Arguments.of("accounts with withBalance not boolean", SimpleRequest.Builder.get(BASE + "/accounts")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER).withQueryParam("withBalance", "maybe")
            .build(), "validation.request.parameter.schema"),
        Arguments.of("bad accountId", transactions("acc%20ount").build(), "validation.request.parameter.schema.pattern"),
        Arguments.of("transactions without dateFrom", SimpleRequest.Builder.get(BASE + "/accounts/a1/transactions")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER).withQueryParam("bookingStatus", "booked")
            .build(), "validation.request.parameter.query.missing"),
        Arguments.of("transactions without bookingStatus", SimpleRequest.Builder.get(BASE + "/accounts/a1/transactions")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER).withQueryParam("dateFrom", "2025-01-01")
            .build(), "validation.request.parameter.query.missing"),
        Arguments.of("unknown bookingStatus", SimpleRequest.Builder.get(BASE + "/accounts/a1/transactions")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER).withQueryParam("dateFrom", "2025-01-01")
            .withQueryParam("bookingStatus", "cancelled").build(), "validation.request.parameter.schema.enum"),
        Arguments.of("negative page", transactions("a1").withQueryParam("pageIndex", "-1").build(),
            "validation.request.parameter.schema.minimum"),
        Arguments.of("dateFrom not a date", SimpleRequest.Builder.get(BASE + "/accounts/a1/transactions")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER).withQueryParam("dateFrom", "yesterday")
            .withQueryParam("bookingStatus", "booked").build(), "validation.request.parameter.schema"),
        Arguments.of("unknown path", SimpleRequest.Builder.get(BASE + "/payments").withHeader("x-api-key", API_KEY).build(),
            "validation.request.path.missing"),
        Arguments.of("method not defined", SimpleRequest.Builder.put(BASE + "/consents/current")
            .withHeader("x-api-key", API_KEY).withHeader("Authorization", BEARER).build(),
            "validation.request.operation.notAllowed"),
        Arguments.of("payment without Idempotency-Key", SimpleRequest.Builder.post(BASE + "/banks/sandbox-a/payments/"
            + "sepa-credit-transfers").withContentType("application/json").withHeader("x-api-key", API_KEY)
            .withHeader("PSU-IP-Address", "192.0.2.10").withBody(PAYMENT).build(), "validation.request.parameter.header.missing"),
        Arguments.of("amount as a number", payment("payments", "sepa-credit-transfers",
            PAYMENT.replace("\"123.45\"", "123.45")).build(), "validation.request.body.schema.type"),
        Arguments.of("unknown payment member", payment("payments", "sepa-credit-transfers",
            PAYMENT.replace("\"returnUrl\"", "\"chargeBearer\": \"SLEV\", \"returnUrl\"")).build(),
            "validation.request.body.schema.additionalProperties"),
        Arguments.of("unknown payment product", payment("payments", "target-2-payments", PAYMENT).build(),
            "validation.request.parameter.schema.enum"),
        Arguments.of("standing order without frequency", payment("periodic-payments", "sepa-credit-transfers",
            PAYMENT.replace("\"returnUrl\"", "\"startDate\": \"2030-01-01\", \"returnUrl\"")).build(),
            "validation.request.body.schema.required"),
        Arguments.of("not a payment id", SimpleRequest.Builder.get(BASE + "/payments/hub_123/status")
            .withHeader("x-api-key", API_KEY).build(), "validation.request.parameter.schema"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequests")
  void invalidRequestsFail(String title, Request request, String expectedKey) {
    ValidationReport report = validator.validateRequest(request);
    assertThat(report.hasErrors()).as("expected an error for: " + title).isTrue();
    assertThat(report.getMessages()).as(describe(report))
        .anySatisfy(m -> assertThat(m.getKey()).startsWith(expectedKey));
  }

  // ---------------------------------------------------------------------------------------------- responses

  @Test
  void theHubsOwnResponsesMatchTheSpec() {
    assertValid(validator.validateResponse("/banks/sandbox-a/consents", Request.Method.POST,
        SimpleResponse.Builder.status(201).withContentType("application/json").withHeader("X-Request-ID", UUID)
            .withHeader("Cache-Control", "no-store")
            .withBody("{\"consentId\": \"c-123\", \"consentStatus\": \"received\", \"state\": \"" + STATE + "\","
                + " \"nextStep\": \"redirect\","
                + " \"authorisationUrl\": \"https://sandbox-a.bank.example/authorize?client_id=x&request_uri=urn:1\","
                + " \"expiresIn\": 600}")
            .build()));
    // A decoupled bank: no browser step, the CRM polls.
    assertValid(validator.validateResponse("/banks/sandbox-d/consents", Request.Method.POST,
        SimpleResponse.Builder.status(201).withContentType("application/json").withHeader("X-Request-ID", UUID)
            .withHeader("Cache-Control", "no-store")
            .withBody("{\"consentId\": \"c-124\", \"consentStatus\": \"received\", \"state\": \"" + STATE + "\","
                + " \"nextStep\": \"poll\", \"pollIntervalSeconds\": 4, \"psuMessage\": \"Confirm in your app\","
                + " \"expiresIn\": 600}")
            .build()));
    assertValid(validator.validateResponse("/authorisations/status", Request.Method.POST,
        SimpleResponse.Builder.status(200).withContentType("application/json").withHeader("X-Request-ID", UUID)
            .withHeader("Cache-Control", "no-store").withHeader("Retry-After", "4")
            .withBody("{\"status\": \"pending\", \"scaStatus\": \"started\", \"retryAfter\": 4}").build()));
    assertValid(validator.validateResponse("/sca/callback", Request.Method.GET,
        SimpleResponse.Builder.status(302).withHeader("X-Request-ID", UUID)
            .withHeader("Location", "https://crm.example.eu/psd2/return?state=" + STATE + "&outcome=denied").build()));
    assertValid(validator.validateResponse("/sessions", Request.Method.POST,
        SimpleResponse.Builder.status(200).withContentType("application/json").withHeader("X-Request-ID", UUID)
            .withBody("{\"accessToken\": \"hub_" + "y".repeat(48) + "\", \"tokenType\": \"Bearer\","
                + " \"expiresAt\": \"2030-12-31T00:00:00Z\", \"consentId\": \"c-123\", \"bankId\": \"sandbox-a\"}")
            .build()));
    assertValid(validator.validateResponse("/consents/current", Request.Method.GET,
        SimpleResponse.Builder.status(200).withContentType("application/json").withHeader("X-Request-ID", UUID)
            .withBody("{\"consentId\": \"c-123\", \"consentStatus\": \"valid\", \"validUntil\": \"2030-12-31\","
                + " \"frequencyPerDay\": 4, \"reauthenticationDueAt\": \"2026-05-01T10:00:00Z\","
                + " \"daysUntilReauthentication\": 120}")
            .build()));
    assertValid(validator.validateResponse("/oauth/callback", Request.Method.GET,
        SimpleResponse.Builder.status(302).withHeader("X-Request-ID", UUID)
            .withHeader("Location", "https://crm.example.eu/psd2/return?state=" + STATE + "&outcome=success").build()));
    assertValid(validator.validateResponse("/accounts/a1/transactions", Request.Method.GET,
        SimpleResponse.Builder.status(429).withContentType("application/problem+json").withHeader("X-Request-ID", UUID)
            .withHeader("Retry-After", "3600").withHeader("RateLimit-Limit", "4").withHeader("RateLimit-Remaining", "0")
            .withHeader("RateLimit-Reset", "3600")
            .withBody(problem("budget-exhausted", 429, "\"code\": \"QuotaViolation\"")).build()));
    assertValid(validator.validateResponse("/accounts", Request.Method.GET,
        SimpleResponse.Builder.status(409).withContentType("application/problem+json").withHeader("X-Request-ID", UUID)
            .withBody(problem("bank-error", 409, "\"code\": \"bank_error\", \"bankCode\": \"STATUS_INVALID\"")).build()));
    assertValid(validator.validateResponse("/accounts", Request.Method.GET,
        SimpleResponse.Builder.status(200).withContentType("application/json").withHeader("X-Request-ID", UUID)
            .withBody("{\"accounts\": [{\"resourceId\": \"a1\", \"iban\": \"DE89370400440532013000\", \"currency\": \"EUR\","
                + " \"product\": \"Girokonto\", \"_links\": {\"balances\": {\"href\": \"/v1/accounts/a1/balances\"}}}]}")
            .build()));
  }

  @Test
  void aProblemOutsideTheContractFails() {
    ValidationReport unknownType = validator.validateResponse("/sessions", Request.Method.POST,
        SimpleResponse.Builder.status(404).withContentType("application/problem+json").withHeader("X-Request-ID", UUID)
            .withBody(problem("gone-fishing", 404, "\"code\": \"x\"")).build());
    assertThat(unknownType.hasErrors()).as(describe(unknownType)).isTrue();

    ValidationReport leakedField = validator.validateResponse("/sessions", Request.Method.POST,
        SimpleResponse.Builder.status(500).withContentType("application/problem+json").withHeader("X-Request-ID", UUID)
            .withBody(problem("internal-error", 500, "\"code\": \"x\", \"stackTrace\": \"at …\"")).build());
    assertThat(leakedField.hasErrors()).as(describe(leakedField)).isTrue();
  }

  static String problem(String slug, int status, String extra) {
    return "{\"type\": \"urn:psd2-hub:problem:" + slug + "\", \"title\": \"t\", \"status\": " + status
        + ", \"detail\": \"d\", \"instance\": \"/psd2/v1/accounts\", \"requestId\": \"" + UUID + "\", " + extra + "}";
  }

  private static void assertValid(ValidationReport report) {
    assertThat(report.hasErrors()).as(describe(report)).isFalse();
  }

  private static String describe(ValidationReport report) {
    return report.getMessages().stream()
        .map(m -> m.getLevel() + " " + m.getKey() + ": " + m.getMessage())
        .collect(Collectors.joining("\n", "validation messages:\n", ""));
  }
}
