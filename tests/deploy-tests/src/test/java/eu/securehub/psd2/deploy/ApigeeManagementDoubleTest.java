package eu.securehub.psd2.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.deploy.ApigeeManagementDouble.ApiType;
import eu.securehub.psd2.deploy.ApigeeManagementDouble.Call;
import eu.securehub.psd2.deploy.ApigeeManagementDouble.Kind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The double on its own, over HTTP, in the shapes apigee-edge-maven-plugin 2.5.0 sends. */
class ApigeeManagementDoubleTest {

    private static final String TOKEN = "tok-123";
    private final HttpClient http = HttpClient.newHttpClient();
    private ApigeeManagementDouble apigee;

    @BeforeEach
    void start() throws IOException {
        apigee = ApigeeManagementDouble.start(TOKEN);
    }

    @AfterEach
    void stop() {
        apigee.close();
    }

    @Test
    void listensOnLoopbackOnAFreePort() {
        assertThat(apigee.hostUrl()).matches("http://127\\.0\\.0\\.1:[0-9]+");
        assertThat(apigee.hostUrl()).doesNotEndWith(":0");
    }

    @Test
    void importKeepsTheZipOfTheContentPartAndCountsRevisionsPerName() throws Exception {
        byte[] zip = zip("sharedflowbundle/sf-a.xml", "<SharedFlowBundle name=\"sf-a\"/>");
        assertThat(importBundle("sharedflows", "sf-a", zip).body()).contains("\"revision\":\"1\"");
        assertThat(importBundle("sharedflows", "sf-a", zip).body()).contains("\"revision\":\"2\"");
        assertThat(importBundle("sharedflows", "sf-b", zip).body()).contains("\"revision\":\"1\"");
        assertThat(importBundle("apis", "sf-a", zip).body()).as("proxies count apart").contains("\"revision\":\"1\"");

        Call first = apigee.calls().get(0);
        assertThat(first.kind()).isEqualTo(Kind.IMPORT);
        assertThat(first.type()).isEqualTo(ApiType.SHARED_FLOW);
        assertThat(first.org()).isEqualTo("o");
        assertThat(first.name()).isEqualTo("sf-a");
        assertThat(first.revision()).isEqualTo("1");
        assertThat(first.zip().name()).isEqualTo("content");
        assertThat(first.zip().fileName()).isEqualTo("sf-a.zip");
        assertThat(first.zip().content()).isEqualTo(zip);
        assertThat(BundleZip.of(first.zip().content()).names()).containsExactly("sharedflowbundle/sf-a.xml");
    }

    @Test
    void existingRevisionsShiftTheNextOne() throws Exception {
        apigee.existingRevisions(ApiType.PROXY, "p-v1", 41);
        assertThat(importBundle("apis", "p-v1", zip("apiproxy/p-v1.xml", "<APIProxy/>")).body())
                .contains("\"revision\":\"42\"");
    }

    @Test
    void deploysTheImportedRevisionAndReportsItReady() throws Exception {
        importBundle("apis", "p-v1", zip("apiproxy/p-v1.xml", "<APIProxy/>"));
        String path = "/v1/organizations/o/environments/test/apis/p-v1/revisions/1/deployments";

        HttpResponse<String> deploy = send(HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("override=true")));
        assertThat(deploy.statusCode()).isEqualTo(200);
        assertThat(deploy.body()).contains("\"revision\":\"1\"", "\"environment\":\"test\"");

        HttpResponse<String> status = send(HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"state\":\"READY\"", "\"revision\":\"1\"");

        List<Call> calls = apigee.calls();
        assertThat(calls).extracting(Call::kind)
                .containsExactly(Kind.IMPORT, Kind.DEPLOY, Kind.DEPLOYMENT_STATUS);
        assertThat(calls.get(1).form()).containsEntry("override", "true");
        assertThat(calls.get(1).env()).isEqualTo("test");
    }

    @Test
    void aBundleCallingGoogleApisDeploysOnlyWithAServiceAccount() throws Exception {
        importBundle("sharedflows", "kms-v1", zip("sharedflowbundle/policies/SC-Kms.xml",
                "<ServiceCallout name=\"SC-Kms\"><HTTPTargetConnection><Authentication><GoogleAccessToken/>"
                        + "</Authentication></HTTPTargetConnection></ServiceCallout>"));
        String path = "/v1/organizations/o/environments/test/sharedflows/kms-v1/revisions/1/deployments";
        HttpResponse<String> without = send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("override=true")));
        assertThat(without.statusCode()).isEqualTo(400);
        assertThat(without.body()).contains("MISSING_SERVICE_ACCOUNT",
                "requires a service account identity, but one was not provided with the request");
        HttpResponse<String> with = send(HttpRequest.newBuilder(uri(path
                        + "?serviceAccount=sa-1234@o-project.iam.gserviceaccount.com"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("override=true")));
        assertThat(with.statusCode()).as(with.body()).isEqualTo(200);
    }

    @Test
    void aRevisionNeverImportedOrNeverDeployedIsNotFound() throws Exception {
        String path = "/v1/organizations/o/environments/test/sharedflows/sf-a/revisions/3/deployments";
        assertThat(send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("override=true"))).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .GET()).statusCode()).isEqualTo(404);
    }

    @Test
    void scriptedImportFailureAnswers400WithAGoogleErrorBody() throws Exception {
        apigee.failImport(ApiType.SHARED_FLOW, "sf-a", "bundle has \"errors\"");
        HttpResponse<String> r = importBundle("sharedflows", "sf-a", zip("sharedflowbundle/sf-a.xml", "x"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo(
                "{\"error\":{\"code\":400,\"message\":\"bundle has \\\"errors\\\"\",\"status\":\"INVALID_ARGUMENT\"}}");
        assertThat(importBundle("sharedflows", "sf-b", zip("sharedflowbundle/sf-b.xml", "x")).statusCode())
                .as("other names unaffected").isEqualTo(200);
    }

    @Test
    void scriptedDeploymentFailureReportsStateErrorWithTheMessage() throws Exception {
        apigee.failDeployment(ApiType.SHARED_FLOW, "sf-a", "KVM bank-registry missing");
        importBundle("sharedflows", "sf-a", zip("sharedflowbundle/sf-a.xml", "x"));
        String path = "/v1/organizations/o/environments/test/sharedflows/sf-a/revisions/1/deployments";
        send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("override=true")));
        HttpResponse<String> status = send(HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"state\":\"ERROR\"",
                "\"errors\":[{\"code\":400,\"message\":\"KVM bank-registry missing\"}]");
    }

    @Test
    void aMissingOrWrongBearerTokenIsUnauthenticated() throws Exception {
        String path = "/v1/organizations/o/sharedflows?action=import&name=sf-a";
        HttpResponse<String> none = send(HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer nope")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("\"status\":\"UNAUTHENTICATED\"");
    }

    @Test
    void unknownCallsAreRecordedAndAnswered404() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/organizations/o/apis/p-v1/deployments"))
                .header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"status\":\"NOT_FOUND\"");
        assertThat(apigee.calls()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.UNKNOWN);
            assertThat(c.method()).isEqualTo("GET");
            assertThat(c.path()).isEqualTo("/v1/organizations/o/apis/p-v1/deployments");
        });
    }

    @Test
    void anImportWithoutAContentPartIsRejected() throws Exception {
        String body = "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n";
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/organizations/o/apis?action=import&name=p"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "multipart/form-data; boundary=b")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("no form part named content");
    }

    @Test
    void multipartParserHandlesPreambleQuotedBoundaryAndBinaryContent() {
        byte[] binary = {0, '\r', '\n', '-', '-', 'x', (byte) 0xff};
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("preamble\r\n--a'b\r\ncontent-disposition: form-data; name=\"f\"; filename=\"x.zip\"\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes("Content-Type: application/octet-stream\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(binary);
        b.writeBytes("\r\n--a'b\r\nContent-Disposition: form-data; name=g\r\n\r\nv\r\n--a'b--\r\nepilogue"
                .getBytes(StandardCharsets.ISO_8859_1));

        List<Multipart.Part> parts = Multipart.parse("multipart/form-data; boundary=\"a'b\"", b.toByteArray());
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0).name()).isEqualTo("f");
        assertThat(parts.get(0).fileName()).isEqualTo("x.zip");
        assertThat(parts.get(0).header("Content-Type")).contains("application/octet-stream");
        assertThat(parts.get(0).content()).isEqualTo(binary);
        assertThat(parts.get(1).name()).isEqualTo("g");
        assertThat(parts.get(1).content()).isEqualTo("v".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void multipartParserRejectsMalformedBodies() {
        assertThatThrownBy(() -> Multipart.parse("application/zip", new byte[0]))
                .hasMessageContaining("not multipart/form-data");
        assertThatThrownBy(() -> Multipart.parse("multipart/form-data", new byte[0]))
                .hasMessageContaining("no boundary");
        assertThatThrownBy(() -> Multipart.parse("multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\nno end".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not terminated");
    }

    // ---------------------------------------------------------------------------------------------

    /** An import as apigee-edge-maven-plugin 2.5.0 sends it (google-http-client MultipartContent). */
    private HttpResponse<String> importBundle(String collection, String name, byte[] zip) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--__END_OF_PART__\r\nContent-Length: " + zip.length + "\r\n"
                + "Content-Type: application/octet-stream\r\ncontent-transfer-encoding: binary\r\n"
                + "Content-Disposition: form-data; name=\"content\"; file=\"" + name + ".zip\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(zip);
        body.writeBytes("\r\n--__END_OF_PART__--\r\n".getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(uri("/v1/organizations/o/" + collection + "?action=import&name=" + name))
                .header("Authorization", "Bearer " + TOKEN)
                .header("x-goog-api-format-version", "2")
                .header("Content-Type", "multipart/form-data; boundary=__END_OF_PART__")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String pathAndQuery) {
        return URI.create(apigee.hostUrl() + pathAndQuery);
    }

    private static byte[] zip(String entry, String content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(entry));
            z.write(content.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return out.toByteArray();
    }
}
