package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.Mockito;

class ProblemTest {
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private final Problem problem = new Problem(props());

    private static Map<String, String> props() {
        Map<String, String> p = new HashMap<>();
        p.put("error-code", "{hub.error_code}");
        p.put("callout-codes", "{bank.error_code},{authz.error_code},{token.error_code},{oauth.error_code}");
        p.put("fault-name", "{fault.name}");
        p.put("status-code", "{message.status.code}");
        p.put("bank-status", "{hub.bank_status}");
        p.put("bank-body", "{hub.bank_body}");
        p.put("validation-cause", "{OASValidation.OAS-Validate.fault.cause}");
        p.put("request-id", "{hub.request_id}");
        p.put("instance", "{proxy.pathsuffix}");
        p.put("query", "{request.querystring}");
        p.put("verb", "{request.verb}");
        p.put("path-parameters", "banks=bankId,accounts=accountId");
        p.put("header-psu-ip-address", "{request.header.PSU-IP-Address}");
        p.put("header-x-request-id", "{request.header.X-Request-ID}");
        return p;
    }

    private Map<String, Object> run(MapMessageContext c) {
        assertThat(problem.execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        try {
            Map<String, Object> body = Json.parseObject(c.string("problem.body"));
            assertThat(body.get("status")).isEqualTo(Long.parseLong(c.string("problem.status")));
            assertThat(body.get("type")).isEqualTo(c.string("problem.type"));
            assertThat(body.get("title")).isEqualTo(c.string("problem.title"));
            assertThat(body.get("code")).isEqualTo(c.string("problem.code"));
            assertThat(body).containsKey("detail");
            return body;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static MapMessageContext ctx(String... kv) {
        MapMessageContext c = new MapMessageContext().set("hub.request_id", "6f1c2a3e-9d41-4a8e-b1de-2c9a51f0e7aa")
                .set("proxy.pathsuffix", "/consents");
        for (int i = 0; i < kv.length; i += 2) {
            c.set(kv[i], kv[i + 1]);
        }
        return c;
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "hub.error_code,invalid_request,400,validation-failed,invalid_request",
        "hub.error_code,invalid_return_url,400,validation-failed,invalid_return_url",
        "authz.error_code,invalid_state,400,validation-failed,invalid_state",
        "bank.error_code,invalid_bank_id,400,validation-failed,invalid_bank_id",
        "hub.error_code,invalid_code,400,validation-failed,invalid_code",
        "authz.error_code,invalid_json,400,validation-failed,invalid_json",
        "authz.error_code,payload_too_large,413,payload-too-large,payload_too_large",
        "hub.error_code,body_rejected,400,validation-failed,body_rejected",
        "fault.name,OASValidationFailure,400,validation-failed,validation_failed",
        "fault.name,Failed,400,validation-failed,validation_failed",
        "fault.name,InvalidApiKey,401,unauthenticated,unauthenticated",
        "fault.name,FailedToResolveAPIKey,401,unauthenticated,unauthenticated",
        "fault.name,ApiKeyNotApproved,401,unauthenticated,unauthenticated",
        "fault.name,DeveloperStatusNotActive,401,unauthenticated,unauthenticated",
        "fault.name,AppStatusNotActive,401,unauthenticated,unauthenticated",
        "fault.name,InvalidApiKeyForGivenResource,403,forbidden,forbidden",
        "token.error_code,app_mismatch,403,forbidden,app_mismatch",
        "token.error_code,malformed_token,401,invalid-token,malformed_token",
        "token.error_code,unknown_token,401,invalid-token,unknown_token",
        "token.error_code,expired_token,401,invalid-token,expired_token",
        "token.error_code,undecryptable_token,401,invalid-token,undecryptable_token",
        "bank.error_code,unknown_bank,404,unknown-bank,unknown_bank",
        "hub.error_code,not_found,404,not-found,not_found",
        "hub.error_code,method_not_allowed,405,method-not-allowed,method_not_allowed",
        "hub.error_code,unknown_session,404,session-not-found,unknown_session",
        "hub.error_code,expired_state,410,authorisation-expired,expired_state",
        "hub.error_code,issuer_mismatch,400,authorisation-failed,issuer_mismatch",
        "hub.error_code,authorisation_denied,400,authorisation-failed,authorisation_denied",
        "fault.name,InvalidToken,400,authorisation-failed,invalid_id_token",
        "fault.name,TokenExpired,400,authorisation-failed,invalid_id_token",
        "fault.name,TokenNotYetValid,400,authorisation-failed,invalid_id_token",
        "fault.name,InvalidClaim,400,authorisation-failed,invalid_id_token",
        "fault.name,JwtAudienceMismatch,400,authorisation-failed,invalid_id_token",
        "fault.name,JwtIssuerMismatch,400,authorisation-failed,invalid_id_token",
        "fault.name,NoMatchingPublicKey,400,authorisation-failed,invalid_id_token",
        "fault.name,KeyIdMissing,400,authorisation-failed,invalid_id_token",
        "fault.name,AlgorithmInTokenNotPresentInConfiguration,400,authorisation-failed,invalid_id_token",
        "fault.name,AlgorithmMismatch,400,authorisation-failed,invalid_id_token",
        "fault.name,FailedToDecode,400,authorisation-failed,invalid_id_token",
        "fault.name,FailedToResolveVariable,400,authorisation-failed,invalid_id_token",
        "fault.name,InvalidJsonFormat,400,authorisation-failed,invalid_id_token",
        "fault.name,NoAlgorithmFoundInHeader,400,authorisation-failed,invalid_id_token",
        "hub.error_code,consent_invalid,403,consent-invalid,consent_invalid",
        "fault.name,QuotaViolation,429,budget-exhausted,budget_exhausted",
        "fault.name,SpikeArrestViolation,429,rate-limited,rate_limited",
        "hub.error_code,bank_unavailable,503,bank-unavailable,bank_unavailable",
        // Target faults by their names in Apigee X's runtime error catalog (messaging.adaptors.http.flow.*).
        "fault.name,SslHandshakeFailed,503,bank-unavailable,bank_unavailable",
        "fault.name,NoActiveTargets,503,bank-unavailable,bank_unavailable",
        "fault.name,ServiceUnavailable,503,bank-unavailable,bank_unavailable",
        "fault.name,GatewayTimeout,504,bank-timeout,bank_timeout",
        // Names that are not in the catalog are not target faults: the hub reports an internal error.
        "fault.name,SSLHandshakeError,500,internal-error,internal_error",
        "fault.name,ReadTimeout,500,internal-error,internal_error",
        "fault.name,ErrorResponseCode,502,bank-error,bank_error",
        "hub.error_code,bank_error,502,bank-error,bank_error",
        "hub.error_code,unsupported_media_type,415,validation-failed,unsupported_media_type",
        "authz.error_code,invalid_metadata,502,bank-error,invalid_metadata",
        "authz.error_code,invalid_bank_response,502,bank-error,invalid_bank_response",
        "authz.error_code,invalid_par_response,502,bank-error,invalid_par_response",
        "oauth.error_code,invalid_token_response,502,bank-error,invalid_token_response",
        "fault.name,invalid_client-app_not_approved,401,unauthenticated,unauthenticated",
        "hub.error_code,kms_unavailable,503,key-service-unavailable,kms_unavailable",
        "fault.name,ExecutionReturnedFailure,500,internal-error,internal_error",
        "token.error_code,invalid_keyring,500,internal-error,internal_error",
        "authz.error_code,internal,500,internal-error,internal_error",
        "fault.name,SomethingNew,500,internal-error,internal_error"})
    void everyRowOfTheTable(String variable, String value, int status, String slug, String code) {
        Map<String, Object> body = run(ctx(variable, value));
        assertThat(body).containsEntry("status", (long) status).containsEntry("type", "urn:psd2-hub:problem:" + slug)
                .containsEntry("code", code).containsEntry("requestId", "6f1c2a3e-9d41-4a8e-b1de-2c9a51f0e7aa")
                .containsEntry("instance", "/consents").doesNotContainKey("bankCode");
        assertThat((String) body.get("detail")).isNotBlank().isEqualTo(Problem.DETAILS.get(code));
        assertThat((String) body.get("title")).isNotBlank();
    }

    @Test
    void everyCodeHasATitleAndADetail() {
        assertThat(Problem.KINDS.keySet()).isEqualTo(Problem.DETAILS.keySet());
        assertThat(Problem.FAULTS.values()).allMatch(Problem.KINDS::containsKey);
        Problem.DETAILS.values().forEach(d -> assertThat(d).endsWith("."));
    }

    @Test
    void precedenceIsErrorCodeThenCalloutCodesThenFaultThenBankStatus() {
        assertThat(run(ctx("hub.error_code", "unknown_bank", "authz.error_code", "invalid_state", "fault.name", "RaiseFault",
                "hub.bank_status", "500"))).containsEntry("code", "unknown_bank");
        assertThat(run(ctx("authz.error_code", "invalid_state", "token.error_code", "unknown_token", "fault.name", "ExecutionReturnedFailure")))
                .containsEntry("code", "invalid_state");
        assertThat(run(ctx("token.error_code", "expired_token", "fault.name", "ExecutionReturnedFailure")))
                .containsEntry("code", "expired_token");
        assertThat(run(ctx("fault.name", "QuotaViolation", "hub.bank_status", "503"))).containsEntry("code", "budget_exhausted");
        assertThat(run(ctx("fault.name", "RaiseFault", "hub.bank_status", "409"))).containsEntry("code", "bank_error")
                .containsEntry("status", 409L);
        assertThat(run(ctx())).containsEntry("code", "internal_error").containsEntry("status", 500L);
    }

    @ParameterizedTest
    @CsvSource({"400,400", "403,403", "404,404", "405,405", "406,406", "409,409", "429,429", "401,502", "500,502", "503,502",
        "599,502", "302,502", "abc,502", "'',502"})
    void aBankErrorKeepsTheBanks4xxExcept401(String bankStatus, long status) {
        Map<String, Object> body = run(ctx("fault.name", "ErrorResponseCode", "hub.bank_status", bankStatus));
        assertThat(body).containsEntry("status", status).containsEntry("type", "urn:psd2-hub:problem:bank-error");
    }

    @Test
    void withoutABankStatusTheCurrentStatusCounts() {
        assertThat(run(ctx("fault.name", "ErrorResponseCode", "message.status.code", "404"))).containsEntry("status", 404L);
    }

    @Test
    void theBanksCodeIsPassedOnAsItIs() {
        Map<String, Object> body = run(ctx("fault.name", "ErrorResponseCode", "hub.bank_status", "400",
                "hub.bank_body", "{\"tppMessages\":[{\"category\":\"ERROR\",\"code\":\"FORMAT_ERROR\",\"text\":\"IBAN DE89370400440532013000 wrong\"}]}"));
        assertThat(body).containsEntry("bankCode", "FORMAT_ERROR").containsEntry("status", 400L);
        assertThat(c(body)).doesNotContain("DE89", "IBAN");
        Map<String, Object> unknown = run(ctx("fault.name", "ErrorResponseCode", "hub.bank_status", "400",
                "hub.bank_body", "{\"tppMessages\":[{\"code\":\"BANK_SPECIFIC_42\"},{\"code\":\"OTHER\"}]}"));
        assertThat(unknown).containsEntry("bankCode", "BANK_SPECIFIC_42").containsEntry("code", "bank_error");
    }

    @Test
    void oddBankCodesAndBodiesAreLeftOut() {
        for (String bankBody : new String[] {"{\"tppMessages\":[{\"code\":\"format error\"}]}", "{\"tppMessages\":[{\"code\":\"x\"}]}",
                "{\"tppMessages\":[{\"code\":\"" + "A".repeat(65) + "\"}]}", "{\"tppMessages\":[]}", "{\"tppMessages\":{}}",
                "{\"tppMessages\":[\"CODE\"]}", "{\"tppMessages\":[{\"code\":7}]}", "<html>DE89</html>", "[]"}) {
            Map<String, Object> body = run(ctx("fault.name", "ErrorResponseCode", "hub.bank_status", "400", "hub.bank_body", bankBody));
            assertThat(body).as(bankBody).doesNotContainKey("bankCode").containsEntry("code", "bank_error");
        }
    }

    @ParameterizedTest
    @CsvSource({"CONSENT_INVALID,401", "CONSENT_EXPIRED,401", "CONSENT_UNKNOWN,403", "CONSENT_INVALID,400"})
    void consentCodesFromTheBankAreAnInvalidConsent(String bankCode, String bankStatus) {
        Map<String, Object> body = run(ctx("fault.name", "ErrorResponseCode", "hub.bank_status", bankStatus,
                "hub.bank_body", "{\"tppMessages\":[{\"category\":\"ERROR\",\"code\":\"" + bankCode + "\"}]}"));
        assertThat(body).containsEntry("status", 403L).containsEntry("type", "urn:psd2-hub:problem:consent-invalid")
                .containsEntry("code", "consent_invalid").containsEntry("bankCode", bankCode);
        // a hub code still wins over the bank's
        assertThat(run(ctx("hub.error_code", "unknown_token", "hub.bank_body", "{\"tppMessages\":[{\"code\":\"" + bankCode + "\"}]}")))
                .containsEntry("code", "unknown_token");
    }

    // ---------------------------------------------------------------- OpenAPI validation: the field and the rule

    private static final String PREFIX = "The request does not match the API description: ";
    private static final String TX = "/psd2/v1/accounts/abc/transactions";
    private static final String CONSENTS = "/psd2/v1/banks/alpha/consents";

    /** A validation fault: the cause (as the local runtime and Apigee X give it) and the request it is about. */
    static final class Fault {
        final String cause;
        String verb = "GET";
        String path = TX;
        String query;
        String psuIp;
        String requestId = "0b7f2f0e-4c1a-4a8e-9d7e-2b1c3d4e5f60";

        Fault(String cause) {
            this.cause = cause;
        }

        Fault post(String path) {
            this.verb = "POST";
            this.path = path;
            return this;
        }

        Fault get(String path) {
            this.path = path;
            return this;
        }

        Fault query(String query) {
            this.query = query;
            return this;
        }

        Fault psuIp(String psuIp) {
            this.psuIp = psuIp;
            return this;
        }

        Fault requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        MapMessageContext ctx() {
            return ProblemTest.ctx("fault.name", "Failed", "OASValidation.OAS-Validate.fault.cause", cause, "request.verb", verb,
                    "proxy.pathsuffix", path, "request.querystring", query, "request.header.PSU-IP-Address", psuIp,
                    "request.header.X-Request-ID", requestId);
        }

        @Override
        public String toString() {
            return verb + " " + path + (query == null ? "" : "?" + query);
        }
    }

    static Fault cause(String cause) {
        return new Fault(cause);
    }

    /** The messages the local runtime's OASValidation (swagger-request-validator) gives for this hub's spec. */
    static Stream<Arguments> validationMessages() {
        return Stream.of(
            // Parameters named by the message
            Arguments.of(cause("[ERROR - Query parameter 'dateFrom' is required on path '/accounts/{accountId}/transactions' "
                    + "but not found in request.: []]").query("bookingStatus=booked"),
                "query parameter dateFrom is required", "{\"in\":\"query\",\"name\":\"dateFrom\",\"reason\":\"is required\"}",
                new String[] {"booked", "{accountId}"}),
            Arguments.of(cause("[ERROR - Header parameter 'PSU-IP-Address' is required on path '/banks/{bankId}/consents' but "
                    + "not found in request.: []]").post(CONSENTS),
                "header PSU-IP-Address is required", "{\"in\":\"header\",\"name\":\"PSU-IP-Address\",\"reason\":\"is required\"}",
                new String[] {"{bankId}"}),
            Arguments.of(cause("[ERROR - Query parameter 'foo' is unexpected on path \"/accounts/{accountId}/transactions\": []]")
                    .query("bookingStatus=booked&dateFrom=2026-01-01&foo=secret-foo-value"),
                "query parameter foo is not an allowed parameter",
                "{\"in\":\"query\",\"name\":\"foo\",\"reason\":\"is not an allowed parameter\"}",
                new String[] {"secret-foo-value"}),
            Arguments.of(cause("[ERROR - Multiple values found for parameter 'bookingStatus' but it is not an array.: []]")
                    .query("bookingStatus=booked&bookingStatus=pending&dateFrom=2026-01-01"),
                "query parameter bookingStatus must be sent only once",
                "{\"in\":\"query\",\"name\":\"bookingStatus\",\"reason\":\"must be sent only once\"}", new String[] {}),
            Arguments.of(cause("[ERROR - Parameter 'bookingStatus' is required but is missing.: []]")
                    .query("bookingStatus=&dateFrom=2026-01-01"),
                "query parameter bookingStatus must not be empty",
                "{\"in\":\"query\",\"name\":\"bookingStatus\",\"reason\":\"must not be empty\"}", new String[] {"2026-01-01"}),
            // Parameter schemas: the message does not name the parameter; its value finds it
            Arguments.of(cause("[ERROR - Instance value (\"nope\") not found in enum (possible values: [\"booked\",\"pending\","
                    + "\"both\",\"information\",\"all\"]): []]").query("bookingStatus=nope&dateFrom=2026-01-01"),
                "query parameter bookingStatus must be one of booked, pending, both, information, all",
                "{\"in\":\"query\",\"name\":\"bookingStatus\",\"reason\":\"must be one of booked, pending, both, information, all\"}",
                new String[] {"nope", "2026-01-01"}),
            Arguments.of(cause("[ERROR - Numeric instance is greater than the required maximum (maximum: 1000, found: 5000): []]")
                    .query("bookingStatus=booked&dateFrom=2026-01-01&itemsPerPage=5000"),
                "query parameter itemsPerPage must be at most 1000",
                "{\"in\":\"query\",\"name\":\"itemsPerPage\",\"reason\":\"must be at most 1000\"}", new String[] {"5000", "found"}),
            Arguments.of(cause("[ERROR - Numeric instance is lower than the required minimum (minimum: 1, found: 0): []]")
                    .query("bookingStatus=booked&dateFrom=2026-01-01&itemsPerPage=0&pageIndex=2"),
                "query parameter itemsPerPage must be at least 1",
                "{\"in\":\"query\",\"name\":\"itemsPerPage\",\"reason\":\"must be at least 1\"}", new String[] {"found"}),
            Arguments.of(cause("[ERROR - Numeric instance is greater than the required maximum (maximum: 1000, found: 1.0E9): []], "
                    + "[ERROR - Instance type (number) does not match any allowed primitive type (allowed: [\"integer\"]): []]")
                    .query("bookingStatus=booked&dateFrom=2026-01-01&itemsPerPage=1e9"),
                "query parameter itemsPerPage must be an integer and at most 1000",
                "{\"in\":\"query\",\"name\":\"itemsPerPage\",\"reason\":\"must be an integer and at most 1000\"}",
                new String[] {"1e9", "1.0E9", "number"}),
            Arguments.of(cause("[ERROR - Instance type (string) does not match any allowed primitive type (allowed: [\"integer\"]): []]")
                    .query("itemsPerPage=ten&pageIndex=3"),
                "query parameter itemsPerPage must be an integer",
                "{\"in\":\"query\",\"name\":\"itemsPerPage\",\"reason\":\"must be an integer\"}", new String[] {"ten"}),
            Arguments.of(cause("[ERROR - Instance type (string) does not match any allowed primitive type (allowed: [\"integer\"]): []]")
                    .query("bookingStatus=booked&dateFrom=2026-01-01&itemsPerPage=ten"),
                "one of the query parameters bookingStatus, dateFrom, itemsPerPage must be an integer",
                "{\"in\":\"query\",\"candidates\":[{\"in\":\"query\",\"name\":\"bookingStatus\"},{\"in\":\"query\",\"name\":"
                    + "\"dateFrom\"},{\"in\":\"query\",\"name\":\"itemsPerPage\"}],\"reason\":\"must be an integer\"}",
                new String[] {"ten", "booked", "2026-01-01"}),
            Arguments.of(cause("[ERROR - String \"yesterday\" is too short (length: 9, required minimum: 10): []], [ERROR - ECMA "
                    + "262 regex \"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$\" does not match input string "
                    + "\"yesterday\": []], [ERROR - String \"yesterday\" is invalid against requested date format(s) "
                    + "yyyy-MM-dd: []]").query("bookingStatus=booked&dateFrom=yesterday"),
                "query parameter dateFrom must be a date (YYYY-MM-DD)",
                "{\"in\":\"query\",\"name\":\"dateFrom\",\"reason\":\"must be a date (YYYY-MM-DD)\"}",
                new String[] {"yesterday", "[0-9]", "length: 9", "yyyy"}),
            Arguments.of(cause("[ERROR - String \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is too long (length: 38, maximum "
                    + "allowed: 35): []], [ERROR - ECMA 262 regex \"^[A-Za-z0-9._:/-]{1,35}$\" does not match input string "
                    + "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": []]")
                    .query("bookingStatus=booked&dateFrom=2026-01-01&entryReferenceFrom=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                "query parameter entryReferenceFrom does not have the required format (at most 35 characters)",
                "{\"in\":\"query\",\"name\":\"entryReferenceFrom\",\"reason\":\"does not have the required format (at most 35 "
                    + "characters)\"}", new String[] {"aaaa", "A-Za-z", "length: 38"}),
            Arguments.of(cause("[ERROR - Unable to parse JSON - Unexpected character ('x' (code 120)): Expected space separating "
                    + "root-level values\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: "
                    + "1, column: 2].: []]").query("bookingStatus=booked&dateFrom=2026-01-01&deltaList=1x"),
                "query parameter deltaList does not have a valid value for its type",
                "{\"in\":\"query\",\"name\":\"deltaList\",\"reason\":\"does not have a valid value for its type\"}",
                new String[] {"1x", "'x'", "REDACTED", "Unexpected"}),
            Arguments.of(cause("[ERROR - Unable to parse JSON - Unrecognized token 'maybe': was expecting (JSON String, Number, "
                    + "Array, Object or token 'null', 'true' or 'false')\n at [Source: REDACTED "
                    + "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1].: []]")
                    .get("/psd2/v1/accounts").query("withBalance=maybe"),
                "query parameter withBalance does not have a valid value for its type",
                "{\"in\":\"query\",\"name\":\"withBalance\",\"reason\":\"does not have a valid value for its type\"}",
                new String[] {"maybe"}),
            Arguments.of(cause("[ERROR - String \"12345\" is too short (length: 5, required minimum: 36): []], [ERROR - ECMA 262 "
                    + "regex \"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$\" does not match "
                    + "input string \"12345\": []], [ERROR - Input string \"12345\" is not a valid UUID: []]")
                    .get("/psd2/v1/accounts").requestId("12345"),
                "header X-Request-ID must be a UUID", "{\"in\":\"header\",\"name\":\"X-Request-ID\",\"reason\":\"must be a UUID\"}",
                new String[] {"12345", "0-9a-f"}),
            Arguments.of(cause("[ERROR - ECMA 262 regex \"^(((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\\\.){3}(25[0-5]|"
                    + "2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])|[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){1,7})$\" does not match input "
                    + "string \"localhost\": []]").get("/psd2/v1/accounts").psuIp("localhost"),
                "header PSU-IP-Address does not have the required format",
                "{\"in\":\"header\",\"name\":\"PSU-IP-Address\",\"reason\":\"does not have the required format\"}",
                new String[] {"localhost", "25[0-5]"}),
            Arguments.of(cause("[ERROR - ECMA 262 regex \"^[A-Za-z0-9._-]{1,100}$\" does not match input string \"a b\": []]")
                    .get("/psd2/v1/accounts/a%20b/balances"),
                "path parameter accountId does not have the required format",
                "{\"in\":\"path\",\"name\":\"accountId\",\"reason\":\"does not have the required format\"}",
                new String[] {"a b", "a%20b"}),
            Arguments.of(cause("[ERROR - ECMA 262 regex \"^[a-z0-9][a-z0-9-]{0,39}$\" does not match input string \"ALPHA\": []]")
                    .post("/psd2/v1/banks/ALPHA/consents").psuIp("192.0.2.10"),
                "path parameter bankId does not have the required format",
                "{\"in\":\"path\",\"name\":\"bankId\",\"reason\":\"does not have the required format\"}",
                new String[] {"ALPHA", "192.0.2.10"}),
            // The body: members by JSON pointer, the body itself
            Arguments.of(cause("[ERROR - Object has missing required properties ([\"access\",\"frequencyPerDay\","
                    + "\"recurringIndicator\",\"returnUrl\",\"validUntil\"]): []]").post(CONSENTS).psuIp("192.0.2.10"),
                "the request body is missing required members access, frequencyPerDay, recurringIndicator, returnUrl, validUntil",
                "{\"in\":\"body\",\"name\":\"\",\"reason\":\"is missing required members access, frequencyPerDay, "
                    + "recurringIndicator, returnUrl, validUntil\"}", new String[] {"192.0.2.10"}),
            Arguments.of(cause("[ERROR - [Path '/frequencyPerDay'] Numeric instance is greater than the required maximum "
                    + "(maximum: 4, found: 9): []]").post(CONSENTS),
                "body member /frequencyPerDay must be at most 4",
                "{\"in\":\"body\",\"name\":\"/frequencyPerDay\",\"reason\":\"must be at most 4\"}", new String[] {"9", "found"}),
            Arguments.of(cause("[ERROR - [Path '/frequencyPerDay'] Numeric instance is greater than the required maximum "
                    + "(maximum: 4, found: 4.5): []], [ERROR - [Path '/frequencyPerDay'] Instance type (number) does not match "
                    + "any allowed primitive type (allowed: [\"integer\"]): []]").post(CONSENTS),
                "body member /frequencyPerDay must be an integer and at most 4",
                "{\"in\":\"body\",\"name\":\"/frequencyPerDay\",\"reason\":\"must be an integer and at most 4\"}",
                new String[] {"4.5", "found"}),
            Arguments.of(cause("[ERROR - [Path '/returnUrl'] ECMA 262 regex \"^(https://[\\\\x21-\\\\x7E]+|http://(localhost|"
                    + "127\\\\.0\\\\.0\\\\.1|\\\\[::1\\\\])(:[0-9]{1,5})?(/[\\\\x21-\\\\x7E]*)?)$\" does not match input string "
                    + "\"ftp://secret-value\": []]").post(CONSENTS),
                "body member /returnUrl does not have the required format",
                "{\"in\":\"body\",\"name\":\"/returnUrl\",\"reason\":\"does not have the required format\"}",
                new String[] {"secret-value", "ftp", "x21"}),
            Arguments.of(cause("[ERROR - [Path '/access/accounts/0/iban'] ECMA 262 regex \"^[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}$\" "
                    + "does not match input string \"SECRETIBAN\": []]").post(CONSENTS),
                "body member /access/accounts/0/iban does not have the required format",
                "{\"in\":\"body\",\"name\":\"/access/accounts/0/iban\",\"reason\":\"does not have the required format\"}",
                new String[] {"SECRETIBAN", "A-Z"}),
            Arguments.of(cause("[ERROR - [Path '/recurringIndicator'] Instance type (string) does not match any allowed primitive "
                    + "type (allowed: [\"boolean\"]): []]").post(CONSENTS),
                "body member /recurringIndicator must be a boolean (true or false)",
                "{\"in\":\"body\",\"name\":\"/recurringIndicator\",\"reason\":\"must be a boolean (true or false)\"}",
                new String[] {"Instance type"}),
            Arguments.of(cause("[ERROR - [Path '/validUntil'] Instance failed to match all required schemas (matched only 0 out "
                    + "of 1): [/properties/validUntil/allOf/0: String \"tomorrow\" is too short (length: 8, required minimum: "
                    + "10), /properties/validUntil/allOf/0: ECMA 262 regex \"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$\" "
                    + "does not match input string \"tomorrow\", /properties/validUntil/allOf/0: String \"tomorrow\" is invalid "
                    + "against requested date format(s) yyyy-MM-dd]]").post(CONSENTS),
                "body member /validUntil must be a date (YYYY-MM-DD)",
                "{\"in\":\"body\",\"name\":\"/validUntil\",\"reason\":\"must be a date (YYYY-MM-DD)\"}",
                new String[] {"tomorrow", "allOf", "/properties"}),
            Arguments.of(cause("[ERROR - [Path '/access/accounts/0'] Instance failed to match exactly one schema (matched 0 out "
                    + "of 5): [/properties/access/properties/accounts/items/oneOf/0: Object has missing required properties "
                    + "([\"iban\"]), /properties/access/properties/accounts/items/oneOf/1: Object has missing required properties "
                    + "([\"bban\"]), /properties/access/properties/accounts/items/oneOf/2: Object has missing required properties "
                    + "([\"pan\"]), /properties/access/properties/accounts/items/oneOf/3: Object has missing required properties "
                    + "([\"maskedPan\"]), /properties/access/properties/accounts/items/oneOf/4: Object has missing required "
                    + "properties ([\"msisdn\"])]]").post(CONSENTS),
                "body member /access/accounts/0 must have exactly one of iban, bban, pan, maskedPan, msisdn",
                "{\"in\":\"body\",\"name\":\"/access/accounts/0\",\"reason\":\"must have exactly one of iban, bban, pan, "
                    + "maskedPan, msisdn\"}", new String[] {"oneOf"}),
            Arguments.of(cause("[ERROR - Object instance has properties which are not allowed by the schema: [\"extra\"]: []]")
                    .post(CONSENTS),
                "the request body has members that are not allowed: extra",
                "{\"in\":\"body\",\"name\":\"\",\"reason\":\"has members that are not allowed: extra\"}", new String[] {}),
            Arguments.of(cause("[ERROR - [Path '/access'] Object instance has properties which are not allowed by the schema: "
                    + "[\"extra\"]: []]").post(CONSENTS),
                "body member /access has members that are not allowed: extra",
                "{\"in\":\"body\",\"name\":\"/access\",\"reason\":\"has members that are not allowed: extra\"}", new String[] {}),
            Arguments.of(cause("[ERROR - Unable to parse JSON - Unexpected character ('n' (code 110)): was expecting double-quote "
                    + "to start field name\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
                    + "line: 1, column: 2].: []]").post(CONSENTS).psuIp("192.0.2.10"),
                "the request body is not valid JSON (line 1, column 2)",
                "{\"in\":\"body\",\"name\":\"\",\"reason\":\"is not valid JSON (line 1, column 2)\"}",
                new String[] {"'n'", "double-quote", "REDACTED"}),
            Arguments.of(cause("[ERROR - [Path '/state'] String \"x\" is too short (length: 1, required minimum: 43): []], [ERROR - "
                    + "[Path '/state'] ECMA 262 regex \"^[A-Za-z0-9_-]{43}$\" does not match input string \"x\": []]")
                    .post("/psd2/v1/sessions"),
                "body member /state does not have the required format (at least 43 characters)",
                "{\"in\":\"body\",\"name\":\"/state\",\"reason\":\"does not have the required format (at least 43 characters)\"}",
                new String[] {"\"x\"", "length: 1"}),
            Arguments.of(cause("[ERROR - A request body is required but none found.: []]").post("/psd2/v1/sessions"),
                "the request body is required", "{\"in\":\"body\",\"name\":\"\",\"reason\":\"is required\"}", new String[] {}),
            // Apigee X's own example (its fault string, as OASValidation.<policy>.fault.cause may hold it)
            Arguments.of(cause("OASValidation OAS-ValidateRequest with resource \"oas://psd2-hub-v1.yaml\": failed with reason: "
                    + "\"[ERROR - Object has missing required properties ([\"cvv\",\"expiration\"]): []]\"").post("/psd2/v1/payments"),
                "the request body is missing required members cvv, expiration",
                "{\"in\":\"body\",\"name\":\"\",\"reason\":\"is missing required members cvv, expiration\"}",
                new String[] {"oas://", "OAS-Validate"}));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("validationMessages")
    void aValidationProblemNamesTheFieldAndTheRuleNeverTheValue(Fault fault, String sentence, String invalidParam,
            String[] sentValues) {
        Map<String, Object> body = run(fault.ctx());
        assertThat(body).as(fault.toString()).containsEntry("code", "validation_failed").containsEntry("status", 400L);
        assertThat(body.get("detail")).as(fault.toString()).isEqualTo(PREFIX + sentence + ".");
        assertThat(Json.write(body.get("invalidParams"))).as(fault.toString()).isEqualTo("[" + invalidParam + "]");
        String told = body.get("detail") + " " + Json.write(body.get("invalidParams"));
        for (String value : sentValues) {
            assertThat(told).as(fault.toString()).doesNotContain(value);
        }
        assertThat((String) body.get("detail")).doesNotContain("\"", "ERROR", "[Path");
    }

    @Test
    void everyFieldIsToldOnceWithAllItsRules() {
        String cause = "[ERROR - Query parameter 'dateFrom' is required on path '/accounts/{accountId}/transactions' but not "
                + "found in request.: []], [ERROR - Query parameter 'bookingStatus' is required on path "
                + "'/accounts/{accountId}/transactions' but not found in request.: []], [ERROR - Instance type (string) does "
                + "not match any allowed primitive type (allowed: [\"integer\"]): []], [ERROR - Instance type (string) does "
                + "not match any allowed primitive type (allowed: [\"integer\"]): []]";
        Map<String, Object> body = run(cause(cause).query("itemsPerPage=ten&pageIndex=x").ctx());
        assertThat(body.get("detail")).isEqualTo(PREFIX + "query parameter dateFrom is required; query parameter bookingStatus "
                + "is required; one of the query parameters itemsPerPage, pageIndex must be an integer.");
        assertThat(Json.write(body.get("invalidParams"))).isEqualTo("[{\"in\":\"query\",\"name\":\"dateFrom\",\"reason\":"
                + "\"is required\"},{\"in\":\"query\",\"name\":\"bookingStatus\",\"reason\":\"is required\"},{\"in\":\"query\","
                + "\"candidates\":[{\"in\":\"query\",\"name\":\"itemsPerPage\"},{\"in\":\"query\",\"name\":\"pageIndex\"}],"
                + "\"reason\":\"must be an integer\"}]");
    }

    @Test
    void theDetailIsShortAndSaysHowManyItLeftOut() {
        StringBuilder cause = new StringBuilder();
        StringBuilder query = new StringBuilder("bookingStatus=booked&dateFrom=2026-01-01");
        for (int i = 0; i < 30; i++) {
            cause.append(i == 0 ? "" : ", ").append("[ERROR - Query parameter 'unknownParameter").append(i)
                    .append("' is unexpected on path \"/accounts/{accountId}/transactions\": []]");
            query.append("&unknownParameter").append(i).append("=v");
        }
        Map<String, Object> body = run(cause(cause.toString()).query(query.toString()).ctx());
        String detail = (String) body.get("detail");
        assertThat(detail).startsWith(PREFIX + "query parameter unknownParameter0 is not an allowed parameter; ")
                .endsWith(" more.").matches(".*; and [0-9]+ more\\.");
        assertThat(detail.length()).isLessThanOrEqualTo(PREFIX.length() + ValidationCause.MAX_CHARS + 1).isLessThan(400);
        assertThat((java.util.List<?>) body.get("invalidParams")).hasSize(ValidationCause.MAX_ISSUES);
    }

    @Test
    void namesWithOddCharactersAreNotShown() {
        Map<String, Object> body = run(cause("[ERROR - Query parameter '<script>alert(1)</script>' is unexpected on path "
                + "\"/accounts\": []], [ERROR - Object instance has properties which are not allowed by the schema: "
                + "[\"a\\\"b\",\"ok\",\"DE89 3704 0044 0532 0130 00\"]: []], [ERROR - [Path '/a b'] Instance type (string) does "
                + "not match any allowed primitive type (allowed: [\"boolean\"]): []]").post(CONSENTS).ctx());
        assertThat(body.get("detail")).isEqualTo(PREFIX + "a query parameter is not an allowed parameter; the request body has "
                + "members that are not allowed: ok and 2 more; a body member must be a boolean (true or false).");
        assertThat(c(body)).doesNotContain("<script>", "alert", "DE89", "/a b");
        String deep = "/a".repeat(70);
        assertThat(run(cause("[ERROR - [Path '" + deep + "'] Instance type (string) does not match any allowed primitive type "
                + "(allowed: [\"boolean\"]): []]").post(CONSENTS).ctx()).get("detail"))
                .isEqualTo(PREFIX + "a body member must be a boolean (true or false).");
    }

    @Test
    void aParameterThatCannotBeFoundIsAParameterOrTheBody() {
        String pattern = "[ERROR - ECMA 262 regex \"^[a-z]+$\" does not match input string \"Secret Value\": []]";
        assertThat(run(cause(pattern).query("q=other").ctx()).get("detail"))
                .isEqualTo(PREFIX + "a parameter does not have the required format.");
        // A value the request holds twice: both are candidates.
        assertThat(run(cause(pattern).query("a=Secret+Value&b=Secret%20Value").ctx()).get("detail"))
                .isEqualTo(PREFIX + "one of the query parameters a, b does not have the required format.");
        // A type error without a matching parameter, on a method with a body: the body.
        String type = "[ERROR - Instance type (array) does not match any allowed primitive type (allowed: [\"object\"]): []]";
        assertThat(run(cause(type).post(CONSENTS).ctx()).get("detail"))
                .isEqualTo(PREFIX + "the request body must be a JSON object.");
        assertThat(run(cause(type).ctx()).get("detail")).isEqualTo(PREFIX + "a parameter must be a JSON object.");
        // Without the request's parameters (properties not set) nothing is guessed.
        Map<String, Object> bare = run(ctx("fault.name", "Failed", "OASValidation.OAS-Validate.fault.cause",
                "[ERROR - Instance value (\"nope\") not found in enum (possible values: [\"booked\",\"pending\"]): []]"));
        assertThat(bare.get("detail")).isEqualTo(PREFIX + "a parameter must be one of booked, pending.");
        assertThat(Json.write(bare.get("invalidParams"))).isEqualTo("[{\"reason\":\"must be one of booked, pending\"}]");
    }

    @Test
    void otherMessageShapesAreTold() {
        assertThat(detail(cause("[ERROR - [Path '/access'] Object has too few properties (found 0 but schema requires at least "
                + "1): []]").post(CONSENTS))).isEqualTo("body member /access must have at least 1 member");
        assertThat(detail(cause("[ERROR - [Path '/access/accounts'] Array is too long: must have at most 50 elements but "
                + "instance has 51 elements: []]").post(CONSENTS))).isEqualTo("body member /access/accounts must have at most 50 items");
        assertThat(detail(cause("[ERROR - [Path '/returnUrl'] ECMA 262 regex \"^https://.+$\" does not match input string "
                + "\"https://a b\": []], [ERROR - [Path '/returnUrl'] String \"https://a b\" is not a valid URI: []]").post(CONSENTS)))
                .isEqualTo("body member /returnUrl must be a URI in the required format");
        assertThat(detail(cause("[ERROR - [Path '/at'] String \"noon\" is invalid against requested date format(s) "
                + "yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z: []]").post(CONSENTS)))
                .isEqualTo("body member /at must be a date-time (RFC 3339, e.g. 2026-01-31T12:00:00Z)");
        assertThat(detail(cause("[ERROR - [Path '/access/accounts/0'] Instance failed to match exactly one schema (matched 2 "
                + "out of 5): [/properties/access/properties/accounts/items/oneOf/2: Object has missing required properties "
                + "([\"pan\"])]]").post(CONSENTS)))
                .isEqualTo("body member /access/accounts/0 must match exactly one of the allowed alternatives, not 2");
        assertThat(detail(cause("[ERROR - Numeric instance is not strictly greater than the required minimum 0: []]")
                .query("pageIndex=0&itemsPerPage=5"))).isEqualTo("query parameter pageIndex must be greater than 0");
        assertThat(detail(cause("[ERROR - No request body is expected but one was found.: []]")))
                .isEqualTo("the request body is not expected for this operation");
        assertThat(detail(cause("[ERROR - PUT operation not allowed on path '/sessions'.: []]")))
                .isEqualTo("the method PUT is not allowed on this path");
        assertThat(detail(cause("[ERROR - No API path found that matches request '/accounts/DE89370400440532013000/x'.: []]")))
                .isEqualTo("the request path does not match any path of the API");
        assertThat(detail(cause("[ERROR - Value 'DE89' for parameter 'bookingStatus' is not allowed. Allowed values are "
                + "<booked, pending>.: []]").query("bookingStatus=DE89"))).isEqualTo("query parameter bookingStatus must be "
                + "one of booked, pending");
        assertThat(detail(cause("[ERROR - Request Content-Type header 'text/DE89' does not match any allowed types. Must be "
                + "one of: application/json.: []]").post(CONSENTS))).isEqualTo("header Content-Type must be one of application/json");
        assertThat(detail(cause("[ERROR - Parameter 'withBalance' is required but is missing.: []]")))
                .isEqualTo("parameter withBalance is required");
    }

    private String detail(Fault fault) {
        String detail = (String) run(fault.ctx()).get("detail");
        assertThat(detail).startsWith(PREFIX).endsWith(".").doesNotContain("DE89", "noon", "https://a");
        return detail.substring(PREFIX.length(), detail.length() - 1);
    }

    @Test
    void anUnknownMessageIsScrubbedOfQuotedValues() {
        String cause = "OASValidation OAS-Validate with resource \"oas://psd2-hub-v1.yaml\": failed with reason: "
                + "\"[ERROR - ECMA 262 regex \"^https://\" does not match input string \"javascript:alert('DE89370400440532013000')\": "
                + "[/returnUrl], ERROR - instance value ('SECRET') not found in enum (possible values: ['a','b']), "
                + "ERROR - numeric instance is greater than the required maximum (maximum: 4, found: 77): [/frequencyPerDay], "
                + "it doesn't matter]\"";
        Map<String, Object> body = run(ctx("fault.name", "OASValidationFailure", "OASValidation.OAS-Validate.fault.cause", cause));
        // Its first message is a pattern message (the rest reads as its additional info): no parameter has the value.
        assertThat(body.get("detail")).isEqualTo(PREFIX + "a parameter does not have the required format.");
        assertThat(c(body)).doesNotContain("DE89", "javascript", "SECRET", "oas://", "77", "'a'");
        assertThat(body).containsEntry("code", "validation_failed");
        // Without the "[ERROR - " items, the cause is one message of an unknown shape: scrubbed.
        Map<String, Object> odd = run(ctx("fault.name", "OASValidationFailure", "OASValidation.OAS-Validate.fault.cause",
                cause.replace("[ERROR - ", "ERROR - ")));
        String detail = (String) odd.get("detail");
        assertThat(detail).startsWith(PREFIX + "ERROR - ECMA 262 regex … does not match input string …")
                .contains("[/returnUrl]", "[/frequencyPerDay]", "found: …", "doesn't matter")
                .doesNotContain("DE89", "javascript", "SECRET", "oas://", "77", "'a'");
        assertThat(odd).doesNotContainKey("invalidParams");
        // A message of a new shape beside known ones: kept, scrubbed; a body member with an unknown rule: named.
        Map<String, Object> mixed = run(cause("[ERROR - Something new about \"DE89370400440532013000\" (found: 77): []], "
                + "[ERROR - [Path '/x'] Also new: 'SECRET': []], [ERROR - A request body is required but none found.: []]")
                .post(CONSENTS).ctx());
        assertThat(mixed.get("detail")).isEqualTo(PREFIX + "body member /x is not valid: Also new: …; the request body is "
                + "required; Something new about … (found: …).");
        assertThat(c(mixed)).doesNotContain("DE89", "77", "SECRET");
    }

    @Test
    void aLongOrOddValidationCauseIsCut() {
        String cause = "ERROR - " + "x".repeat(400) + " \"unterminated DE89370400440532013000";
        String scrubbed = ValidationCause.scrub(cause);
        assertThat(scrubbed).hasSize(ValidationCause.MAX_CHARS).doesNotContain("DE89");
        assertThat(ValidationCause.scrub("a \"unterminated DE89")).isEqualTo("a …");
        assertThat(ValidationCause.scrub("value 'unterminated DE89")).isEqualTo("value …");
        assertThat(ValidationCause.scrub("line\nbreak\u0000x")).isEqualTo("line break x");
        assertThat(ValidationCause.scrub("")).isEmpty();
        Map<String, Object> longCause = run(ctx("fault.name", "Failed", "OASValidation.OAS-Validate.fault.cause", cause));
        assertThat((String) longCause.get("detail")).hasSize(PREFIX.length() + ValidationCause.MAX_CHARS + 1)
                .doesNotContain("DE89");
        Map<String, Object> noCause = run(ctx("fault.name", "OASValidationFailure"));
        assertThat(noCause.get("detail")).isEqualTo(Problem.DETAILS.get("validation_failed"));
        assertThat(noCause).doesNotContainKey("invalidParams");
    }

    @Test
    void theValidationCauseIsOnlyUsedForValidationFaults() {
        Map<String, Object> body = run(ctx("hub.error_code", "invalid_request", "OASValidation.OAS-Validate.fault.cause", "ERROR x"));
        assertThat(body.get("detail")).isEqualTo(Problem.DETAILS.get("invalid_request"));
    }

    @Test
    void instanceAndRequestIdAreKeptOnlyWhenTheyLookRight() {
        Map<String, Object> body = run(ctx("hub.error_code", "not_found", "proxy.pathsuffix", "/consents/abc?iban=DE89",
                "hub.request_id", "id with spaces"));
        assertThat(body).containsEntry("instance", "/consents/abc").doesNotContainKey("requestId");
        assertThat(run(ctx("hub.error_code", "not_found", "proxy.pathsuffix", "consents"))).doesNotContainKey("instance");
        assertThat(run(ctx("hub.error_code", "not_found", "proxy.pathsuffix", "/a b"))).doesNotContainKey("instance");
        assertThat(run(ctx("hub.error_code", "not_found", "proxy.pathsuffix", null, "hub.request_id", null)))
                .doesNotContainKeys("instance", "requestId");
    }

    @Test
    void theBodyHasTheFieldsInOrder() {
        MapMessageContext c = ctx("fault.name", "ErrorResponseCode", "hub.bank_status", "409",
                "hub.bank_body", "{\"tppMessages\":[{\"code\":\"RESOURCE_BLOCKED\"}]}");
        run(c);
        assertThat(c.string("problem.body")).isEqualTo("{\"type\":\"urn:psd2-hub:problem:bank-error\",\"title\":\"Bank error\","
                + "\"status\":409,\"detail\":\"" + Problem.DETAILS.get("bank_error") + "\",\"instance\":\"/consents\","
                + "\"requestId\":\"6f1c2a3e-9d41-4a8e-b1de-2c9a51f0e7aa\",\"code\":\"bank_error\",\"bankCode\":\"RESOURCE_BLOCKED\"}");
        assertThat(c.string("problem.status")).isEqualTo("409");
        assertThat(c.string("problem.title")).isEqualTo("Bank error");
    }

    private static String c(Map<String, Object> body) {
        return Json.write(body);
    }
}
