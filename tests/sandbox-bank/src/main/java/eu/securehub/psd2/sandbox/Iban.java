package eu.securehub.psd2.sandbox;

import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;

/** ISO 13616 IBANs: the mod 97 check (ISO 7064 MOD 97-10) and building German IBANs from bank code and account. */
public final class Iban {

  private static final Pattern SHAPE = Pattern.compile("[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}");
  private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);

  private Iban() {
  }

  /** True for a well-formed IBAN (upper case, no spaces) whose check digits are right; German IBANs have 22 characters. */
  public static boolean isValid(String iban) {
    if (iban == null || !SHAPE.matcher(iban).matches()) {
      return false;
    }
    if (iban.startsWith("DE") && iban.length() != 22) {
      return false;
    }
    return mod97(iban.substring(4) + iban.substring(0, 4)) == 1;
  }

  /** The German IBAN for an 8-digit bank code (BLZ) and an account number of up to 10 digits. */
  public static String german(String bankCode, long accountNumber) {
    if (!bankCode.matches("[0-9]{8}") || accountNumber < 0 || accountNumber > 9_999_999_999L) {
      throw new IllegalArgumentException("bank code must have 8 digits, account number up to 10");
    }
    String bban = bankCode + String.format(Locale.ROOT, "%010d", accountNumber);
    return of("DE", bban);
  }

  /** The IBAN for a country and BBAN: the check digits are 98 minus the remainder of BBAN + country + "00". */
  public static String of(String country, String bban) {
    int check = 98 - mod97(bban + country + "00");
    return country + String.format(Locale.ROOT, "%02d", check) + bban;
  }

  private static int mod97(String rearranged) {
    StringBuilder digits = new StringBuilder(rearranged.length() * 2);
    for (char c : rearranged.toCharArray()) {
      if (c >= '0' && c <= '9') {
        digits.append(c);
      } else if (c >= 'A' && c <= 'Z') {
        digits.append(c - 'A' + 10);
      } else {
        throw new IllegalArgumentException("invalid IBAN character: " + c);
      }
    }
    return new BigInteger(digits.toString()).mod(NINETY_SEVEN).intValue();
  }
}
