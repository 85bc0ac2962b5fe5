package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
        "fault.name,ConnectionRefused,503,bank-unavailable,bank_unavailable",
        "fault.name,ConnectionReset,503,bank-unavailable,bank_unavailable",
        "fault.name,ConnectionTimeout,503,bank-unavailable,bank_unavailable",
        "fault.name,SSLHandshakeError,503,bank-unavailable,bank_unavailable",
        "fault.name,NoActiveTargets,503,bank-unavailable,bank_unavailable",
        "fault.name,ServiceUnavailable,503,bank-unavailable,bank_unavailable",
        "fault.name,ReadError,503,bank-unavailable,bank_unavailable",
        "fault.name,WriteError,503,bank-unavailable,bank_unavailable",
        "fault.name,GatewayTimeout,504,bank-timeout,bank_timeout",
        "fault.name,ReadTimeout,504,bank-timeout,bank_timeout",
        "fault.name,WriteTimeout,504,bank-timeout,bank_timeout",
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

    @Test
    void theValidationCauseIsScrubbedOfQuotedValues() {
        String cause = "OASValidation OAS-Validate with resource \"oas://psd2-hub-v1.yaml\": failed with reason: "
                + "\"[ERROR - ECMA 262 regex \"^https://\" does not match input string \"javascript:alert('DE89370400440532013000')\": "
                + "[/returnUrl], ERROR - instance value ('SECRET') not found in enum (possible values: ['a','b']), "
                + "ERROR - numeric instance is greater than the required maximum (maximum: 4, found: 77): [/frequencyPerDay], "
                + "it doesn't matter]\"";
        Map<String, Object> body = run(ctx("fault.name", "OASValidationFailure", "OASValidation.OAS-Validate.fault.cause", cause));
        String detail = (String) body.get("detail");
        assertThat(detail).startsWith("The request does not match the API description: [ERROR - ECMA 262 regex … does not match input string …")
                .contains("[/returnUrl]", "[/frequencyPerDay]", "found: …", "doesn't matter")
                .doesNotContain("DE89", "javascript", "SECRET", "oas://", "77", "'a'");
        assertThat(body).containsEntry("code", "validation_failed");
    }

    @Test
    void aLongOrOddValidationCauseIsCut() {
        String cause = "ERROR - " + "x".repeat(400) + " \"unterminated DE89370400440532013000";
        String detail = Problem.scrub(cause);
        assertThat(detail).hasSize(Problem.MAX_CAUSE_CHARS).doesNotContain("DE89");
        assertThat(Problem.scrub("a \"unterminated DE89")).isEqualTo("a …");
        assertThat(Problem.scrub("value 'unterminated DE89")).isEqualTo("value …");
        assertThat(Problem.scrub("line\nbreak\u0000x")).isEqualTo("line break x");
        assertThat(Problem.scrub("")).isEmpty();
        Map<String, Object> noCause = run(ctx("fault.name", "OASValidationFailure"));
        assertThat(noCause.get("detail")).isEqualTo(Problem.DETAILS.get("validation_failed"));
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
