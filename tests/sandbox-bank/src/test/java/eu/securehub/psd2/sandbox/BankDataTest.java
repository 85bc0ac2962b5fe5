package eu.securehub.psd2.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.sandbox.BankData.Account;
import eu.securehub.psd2.sandbox.BankData.Customer;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class BankDataTest {

  @Test
  void ibanMod97() {
    assertThat(Iban.isValid("DE89370400440532013000")).isTrue();
    assertThat(Iban.isValid("GB82WEST12345698765432")).isTrue();
    assertThat(Iban.isValid("DE89370400440532013001")).isFalse();
    assertThat(Iban.isValid("DE8937040044053201300")).isFalse();
    assertThat(Iban.isValid("de89370400440532013000")).isFalse();
    assertThat(Iban.german("37040044", 532013000L)).isEqualTo("DE89370400440532013000");
  }

  @Test
  void realisticDeterministicData() {
    LocalDate day = LocalDate.of(2026, 3, 15);
    BankData data = BankData.generate("alpha", 7, day);
    assertThat(data.customers()).hasSizeGreaterThanOrEqualTo(4);
    for (Customer c : data.customers()) {
      assertThat(c.accounts()).isNotEmpty();
      for (Account a : c.accounts()) {
        assertThat(Iban.isValid(a.iban())).as(a.iban()).isTrue();
        assertThat(a.iban()).startsWith("DE").contains(data.bankCode());
        assertThat(a.currency()).isEqualTo("EUR");
        assertThat(a.booked()).hasSizeGreaterThanOrEqualTo(200);
        assertThat(a.closingBooked()).isGreaterThanOrEqualTo(BigDecimal.ZERO);
        a.transactions().forEach(t -> {
          assertThat(t.date()).isBeforeOrEqualTo(day).isAfter(day.minusDays(367));
          assertThat(t.amount().toPlainString()).matches("-?[0-9]{1,14}(\\.[0-9]{1,3})?");
          if (t.counterpartyIban() != null) {
            assertThat(Iban.isValid(t.counterpartyIban())).isTrue();
          }
        });
      }
    }
    BankData again = BankData.generate("alpha", 7, day);
    assertThat(again.customers().get(1).accounts().get(0).transactions())
        .isEqualTo(data.customers().get(1).accounts().get(0).transactions());
    assertThat(BankData.generate("alpha", 8, day).customers().get(0).accounts().get(0).transactions())
        .isNotEqualTo(data.customers().get(0).accounts().get(0).transactions());
  }
}
