package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTreeTest {
    @TempDir
    Path temp;

    @Test
    void readsTheEnvironmentsAndTheirBanks() {
        Fixture f = Fixture.copy(temp);

        ConfigTree tree = f.load();

        assertThat(tree.envs.keySet()).containsExactly("dev", "live");
        assertThat(tree.bankIds).containsExactly("north", "south-2");
        ConfigTree.Env dev = tree.envs.get("dev");
        assertThat(dev.targetServers.keySet()).containsExactly("bank-north", "bank-south-2");
        assertThat(dev.kvms.keySet()).containsExactly("psd2-hub-banks", "psd2-hub-config", "psd2-hub-keys");
        assertThat(dev.hasKeyring()).isTrue();
        assertThat(tree.envs.get("live").hasKeyring()).isFalse();
        assertThat(tree.orgConfig).containsKeys("apiProducts", "developers", "developerApps");
    }

    @Test
    void aBankProfileWrittenAsAnObjectBecomesACompactStringValue() {
        ConfigTree tree = Fixture.copy(temp).load();

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) tree.envs.get("dev").kvms.get("psd2-hub-banks").get("entry");

        assertThat(entries.get(0).get("name")).isEqualTo("north");
        assertThat(entries.get(0).get("value")).isInstanceOf(String.class).asString()
                .startsWith("{\"bankId\":\"north\",\"name\":\"North\",\"metadataUrl\":\"https://north.bank.test/");
    }

    @Test
    void aBankInTheRegistryWithoutTargetServerAndTheReverseAreErrors() {
        Fixture f = Fixture.copy(temp);
        f.delete("targetservers/live/bank-north.json");
        f.write(f.config("targetservers/live/bank-east.json"), f.read(f.config("targetservers/live/bank-south-2.json"))
                .replace("bank-south-2", "bank-east"));

        assertThatThrownBy(f::load)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bank north is in kvms/live/psd2-hub-banks.json but has no TargetServer targetservers/live/bank-north.json")
                .hasMessageContaining("TargetServer targetservers/live/bank-east.json has no bank east in kvms/live/psd2-hub-banks.json")
                .hasMessageContaining("environments dev and live define different banks (dev: [north, south-2], live: [east, south-2])");
    }

    @Test
    void everyTargetServerNeedsEnforcedMutualTlsWithReferences() {
        Fixture f = Fixture.copy(temp);
        f.edit("targetservers/dev/bank-north.json", t -> t.replace("\"enforce\": true", "\"enforce\": false")
                .replace("\"clientAuthEnabled\": true,", "")
                .replace("\"ref://trust-ref\"", "\"trust-ks\"")
                .replace("\"TLSv1.3\"", "\"TLSv1.1\""));
        f.edit("targetservers/live/bank-north.json", t -> t.replaceAll("(?s),\\s*\"sSLInfo\".*\\}\\s*\\}", "}"));

        assertThatThrownBy(f::load)
                .hasMessageContaining("targetservers/dev/bank-north.json: sSLInfo.enforce must be true")
                .hasMessageContaining("targetservers/dev/bank-north.json: sSLInfo.clientAuthEnabled must be true")
                .hasMessageContaining("targetservers/dev/bank-north.json: sSLInfo.trustStore must be a reference (ref://NAME)")
                .hasMessageContaining("targetservers/dev/bank-north.json: sSLInfo.protocols must list TLSv1.2 and/or TLSv1.3 only")
                .hasMessageContaining("targetservers/live/bank-north.json: \"sSLInfo\" is missing");
    }

    @Test
    void referencesKeystoresAndAliasesMustExistInTheEnvironment() {
        Fixture f = Fixture.copy(temp);
        f.edit("keystores/dev/keystores.json", t -> t.replace("\"alias\": \"bank-north\"", "\"alias\": \"north\"")
                .replace("\"name\": \"qwac-ref\"", "\"name\": \"other-ref\""));

        assertThatThrownBy(f::load)
                .hasMessageContaining("targetservers/dev/bank-north.json: truststore trust-ks has no alias bank-north")
                .hasMessageContaining("targetservers/dev/bank-north.json: keyStore reference qwac-ref is not in keystores/dev");
    }

    @Test
    void aPasswordIsNeverACommittedValue() {
        Fixture f = Fixture.copy(temp);
        f.edit("keystores/live/keystores.json", t -> t.replace("${fx.password}", "changeit"));

        assertThatThrownBy(f::load).hasMessageContaining(
                "keystores/live/keystores.json: alias qwac: \"password\" must be a ${…} placeholder given at deploy time");
    }

    @Test
    void edgeJsonHoldsOrgConfigOnly() {
        Fixture f = Fixture.copy(temp);
        f.edit("edge.json", t -> t.replace("\"version\": \"1.0\",", "\"version\": \"1.0\", \"envConfig\": {},")
                .replaceAll("\"apiProducts\": \\[\\s*\"p1\"", "\"apiProducts\": [\"p2\""));

        assertThatThrownBy(f::load)
                .hasMessageContaining("edge.json has envConfig: environment config is assembled from targetservers/")
                .hasMessageContaining("edge.json app app1 uses API product p2, which is not in orgConfig.apiProducts");
    }

    @Test
    void missingFoldersMapsAndEntriesAreNamed() {
        Fixture f = Fixture.copy(temp);
        f.delete("kvms/live/psd2-hub-banks.json");
        f.edit("kvms/dev/psd2-hub-config.json", t -> t.replace("callback-url", "callback"));
        f.write(f.config("targetservers/qa/bank-north.json"), f.read(f.config("targetservers/dev/bank-north.json")));

        assertThatThrownBy(f::load)
                .hasMessageContaining("kvms/live/psd2-hub-banks.json is missing")
                .hasMessageContaining("kvms/dev/psd2-hub-config.json has no entry callback-url")
                .hasMessageContaining("environment qa has no keystores/qa/ folder")
                .hasMessageContaining("environment qa has no kvms/qa/ folder");
    }

    @Test
    void invalidJsonIsReportedNamingTheFileLineAndColumn() {
        assertThatThrownBy(() -> ConfigTree.parseJson("{\"a\":1,\"a\":2}", "f.json"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("f.json is not valid JSON: duplicate member name at line 1, column 13");
        assertThatThrownBy(() -> ConfigTree.parseJson("{}\n{}", "f.json"))
                .hasMessage("f.json is not valid JSON: unexpected content after the JSON value at line 2, column 1");
        assertThatThrownBy(() -> ConfigTree.parseJson("[1,]", "f.json")).hasMessageContaining("f.json is not valid JSON: ");
        assertThat(ConfigTree.parseJson(" {\"n\": 1, \"d\": 2.5} ", "t")).isEqualTo(Map.of("n", 1L, "d", new java.math.BigDecimal("2.5")));
    }

    @Test
    void bankProfilesAreChecked() {
        Fixture f = Fixture.copy(temp);
        f.edit("kvms/live/psd2-hub-banks.json", t -> t.replace("\"bankId\": \"north\"", "\"bankId\": \"nord\"")
                .replace("https://north.bank.test/jwks", "http://north.bank.test/jwks")
                .replaceFirst("\"unattendedPerDay\": 4", "\"unattendedPerDay\": 5, \"idTokenAlgorithm\": \"RS256\""));

        assertThatThrownBy(f::load)
                .hasMessageContaining("bank north: profile field idTokenAlgorithm must be one of [PS256, ES256]")
                .hasMessageContaining("kvms/live/psd2-hub-banks.json: bank north: profile bankId must equal the entry name north")
                .hasMessageContaining("bank north: profile field jwksUri must be an https URL")
                .hasMessageContaining("bank north: profile field unattendedPerDay must be a number from 1 to 4");
    }

    @Test
    void theDialectMembersAreCheckedByTheCalloutsOwnRules() {
        Fixture f = Fixture.copy(temp);
        // north becomes a redirect bank without OAuth that still names its OAuth server; south-2 signs without digest.
        f.edit("kvms/live/psd2-hub-banks.json", t -> t.replaceFirst("\"name\": \"North\",",
                "\"name\": \"North\", \"sca\": {\"approaches\": [\"REDIRECT\"], \"preferred\": \"REDIRECT\"},"));
        f.edit("kvms/dev/psd2-hub-banks.json", t -> t.replaceFirst("\"unattendedPerDay\": 4",
                "\"unattendedPerDay\": 4, \"signing\": {\"profile\": \"berlin-group\", \"headers\": [\"x-request-id\"]}"));

        assertThatThrownBy(f::load)
                .hasMessageContaining("kvms/live/psd2-hub-banks.json: bank north: profile field metadataUrl is only allowed for a bank that offers OAUTH")
                .hasMessageContaining("kvms/dev/psd2-hub-banks.json: bank north: profile signing headers must include digest");
    }

    @Test
    void aRedirectBankWithoutOAuthMembersIsFine() {
        Fixture f = Fixture.copy(temp);
        for (String env : new String[] {"dev", "live"}) {
            f.edit("kvms/" + env + "/psd2-hub-banks.json", t -> t.replaceFirst("\"name\": \"North\",",
                    "\"name\": \"North\", \"sca\": {\"approaches\": [\"DECOUPLED\"], \"preferred\": \"DECOUPLED\"},")
                    .replaceAll("\"(metadataUrl|issuer|jwksUri)\": \"https://north[^\"]*\",\\s*", "")
                    .replaceFirst("\"clientId\": \"PSDXX-1\",\\s*", "").replaceFirst("\"scopes\": \"openid accounts\",\\s*", ""));
        }
        assertThat(f.load().readTimeouts).containsKey("north");
    }

    @Test
    void aBanksReadTimeoutIsTheSameInEveryEnvironmentAndAboveItsSlowCallThreshold() {
        Fixture f = Fixture.copy(temp);
        assertThat(f.load().readTimeouts).as("the default").containsEntry("north", 10_000L);

        f.edit("kvms/dev/psd2-hub-banks.json", t -> t.replaceFirst("\"unattendedPerDay\": 4", "\"unattendedPerDay\": 4, \"readTimeoutMs\": 4000"));
        f.edit("kvms/live/psd2-hub-banks.json", t -> t.replaceFirst("\"unattendedPerDay\": 4", "\"unattendedPerDay\": 4, \"readTimeoutMs\": 4000"));
        assertThat(f.load().readTimeouts).containsEntry("north", 4_000L).containsEntry("south-2", 10_000L);

        f.edit("kvms/live/psd2-hub-banks.json", t -> t.replace("\"readTimeoutMs\": 4000", "\"readTimeoutMs\": 8000")
                .replaceFirst("\"failureThreshold\": 5", "\"failureThreshold\": 5, \"slowCallMs\": 9000, \"maxCallsInFlight\": 0"));
        assertThatThrownBy(f::load)
                .hasMessageContaining("bank north: readTimeoutMs differs between environments {dev=4000, live=8000}")
                .hasMessageContaining("bank north: profile field breaker.slowCallMs (9000) must be below readTimeoutMs (8000)")
                .hasMessageContaining("bank north: profile field breaker.maxCallsInFlight must be a positive whole number");

        f.edit("kvms/dev/psd2-hub-banks.json", t -> t.replace("\"readTimeoutMs\": 4000", "\"readTimeoutMs\": 120000"));
        assertThatThrownBy(f::load).hasMessageContaining("profile field readTimeoutMs must be a whole number of milliseconds"
                + " from 1000 to 60000");
    }

    @Test
    void mapsTheHubWritesAtRunTimeAreNeverConfigSoNoDeployOptionCanDropThem() {
        for (String map : ConfigTree.RUNTIME_MAPS) {
            Fixture f = Fixture.copy(temp.resolve(map));
            f.write(f.config("kvms/live/" + map + ".json"), "{\"name\": \"" + map + "\", \"entry\": []}");
            assertThatThrownBy(f::load).hasMessageContaining("kvms/live/" + map + ".json must not exist: the hub writes "
                    + map + " at run time, and a deploy with apigee.config.options=sync or delete would delete the map");
        }
    }

    @Test
    void theNameInsideAFileMatchesTheFileName() {
        Fixture f = Fixture.copy(temp);
        f.edit("kvms/dev/psd2-hub-config.json", t -> t.replace("\"psd2-hub-config\"", "\"config\""));
        f.edit("targetservers/dev/bank-north.json", t -> t.replace("\"name\": \"bank-north\"", "\"name\": \"north\""));

        assertThatThrownBy(f::load)
                .hasMessageContaining("kvms/dev/psd2-hub-config.json: \"name\" must equal the file name (psd2-hub-config)")
                .hasMessageContaining("targetservers/dev/bank-north.json: \"name\" must equal the file name (bank-north)");
    }

    @Test
    void keycertjarIsRefusedNamingTheFileAndTheAlias() {
        Fixture f = Fixture.copy(temp);
        f.edit("keystores/live/keystores.json", t -> t.replaceFirst("\"format\": \"pkcs12\"", "\"format\": \"keycertjar\""));

        assertThatThrownBy(f::load).isInstanceOf(ConfigException.class)
                .hasMessageContaining("keystores/live/keystores.json: alias qwac: format keycertjar is not accepted by Apigee X"
                        + " (only keycertfile, pkcs12, selfsignedcert): convert the JAR's key and certificate into a PKCS#12"
                        + " file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\"format\" must be one of"));
    }

    @Test
    void theDebugMaskHoldsDebugMaskFieldsOnly() {
        Fixture f = Fixture.copy(temp);
        f.edit("edge.json", t -> t.replaceFirst("\\{", "{\"allEnvConfig\":{\"debugMasks\":[{\"name\":\"m\","
                + "\"variables\":[\"a\", 1],\"requestJSONPaths\":\"x\",\"namespaces\":{\"p\":2}}]},"));

        assertThatThrownBy(f::load).isInstanceOf(ConfigException.class)
                .hasMessageContaining("edge.json allEnvConfig.debugMasks[0] has \"name\", which is not a field of Apigee's"
                        + " DebugMask (namespaces, requestXPaths, responseXPaths, faultXPaths, requestJSONPaths,"
                        + " responseJSONPaths, faultJSONPaths, variables)")
                .hasMessageContaining("edge.json allEnvConfig.debugMasks[0].variables must hold non-empty strings only (found 1)")
                .hasMessageContaining("edge.json allEnvConfig.debugMasks[0].requestJSONPaths must be an array of strings")
                .hasMessageContaining("edge.json allEnvConfig.debugMasks[0].namespaces.p must be a namespace URI");
    }
}
