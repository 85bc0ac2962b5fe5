package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.sandbox.BankData.Account;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RTS Art. 36(5): four reads a day without the PSU, per consent and resource; PSU-present reads are free. */
class UnattendedLimitTest extends BankTestBase {

  @Test
  void fifthUnattendedReadWithin24HoursIsRefused() throws Exception {
    MutableClock clock = MutableClock.ofNow();
    SandboxBank bank = start("alpha", b -> b.clock(clock).accessTokenLifetime(Duration.ofDays(3)));
    Tpp tpp = tpp(bank);
    List<Account> accounts = bank.data().customerByUsername("ben").orElseThrow().accounts();
    Account a = accounts.get(0);
    Account b = accounts.get(1);
    String consentId = tpp.createConsent(Tpp.consentBody(a.iban(), b.iban()));
    String token = tpp.authorise(consentId, "ben", "ben-sandbox-2", List.of(), true).accessToken();
    String balances = "/v1/accounts/" + a.resourceId() + "/balances";

    for (int i = 0; i < 4; i++) {
      assertThat(tpp.read(balances, consentId, token, false).statusCode()).isEqualTo(200);
      clock.advance(Duration.ofMinutes(30));
    }
    // PSU present: not counted, never limited.
    for (int i = 0; i < 3; i++) {
      assertThat(tpp.read(balances, consentId, token, true).statusCode()).isEqualTo(200);
    }
    assertThat(bank.unattendedReads(consentId, "account:" + a.resourceId())).isEqualTo(4);
    assertBgError(tpp.read(balances, consentId, token, false), 429, "ACCESS_EXCEEDED");
    // Transactions and details of the same account share its budget.
    assertBgError(tpp.read("/v1/accounts/" + a.resourceId() + "/transactions?bookingStatus=pending", consentId,
        token, false), 429, "ACCESS_EXCEEDED");
    // Another account and the account list have their own.
    assertThat(tpp.read("/v1/accounts/" + b.resourceId() + "/balances", consentId, token, false).statusCode())
        .isEqualTo(200);
    assertThat(tpp.read("/v1/accounts", consentId, token, false).statusCode()).isEqualTo(200);

    // 24 hours after the first read, one read is free again.
    clock.advance(Duration.ofHours(24).minus(Duration.ofMinutes(120)).plusSeconds(1));
    assertThat(tpp.read(balances, consentId, token, false).statusCode()).isEqualTo(200);
    assertBgError(tpp.read(balances, consentId, token, false), 429, "ACCESS_EXCEEDED");
  }

  @Test
  void aLowerFrequencyPerDayIsTheLimit() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    Account a = bank.data().customerByUsername("clara").orElseThrow().accounts().get(0);
    String consentId = tpp.createConsent(Tpp.consentBody(a.iban()).replace("\"frequencyPerDay\":4",
        "\"frequencyPerDay\":2"));
    String token = tpp.authorise(consentId, "clara", "clara-sandbox-3", List.of(), true).accessToken();
    assertThat(tpp.read("/v1/accounts", consentId, token, false).statusCode()).isEqualTo(200);
    assertThat(tpp.read("/v1/accounts", consentId, token, false).statusCode()).isEqualTo(200);
    assertBgError(tpp.read("/v1/accounts", consentId, token, false), 429, "ACCESS_EXCEEDED");
  }
}
