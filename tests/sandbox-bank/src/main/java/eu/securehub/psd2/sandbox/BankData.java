package eu.securehub.psd2.sandbox;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The bank's customers, accounts, transactions and standing orders: deterministic for a bank id, a seed and the
 * day the data is generated for (booked transactions over the year before that day, a few pending ones on it).
 * Immutable, except for payments initiated through the API: an authorised payment reserves its amount as a pending
 * debit of its account, and its execution books it ({@link #reserve}, {@link #book}, {@link #release}). Thread-safe.
 */
public final class BankData {

  /** One online-banking customer (sandbox credentials, documented in the module README). */
  public record Customer(String customerId, String username, String password, String name, List<Account> accounts) {
  }

  /**
   * One EUR payment account. {@link #transactions()} is a read-only view that payments executed through the API
   * add to (a snapshot while iterated).
   */
  public record Account(String resourceId, String iban, String currency, String name, String product,
                        String cashAccountType, String usage, String ownerName, String bic, String customerId,
                        BigDecimal openingBalance, List<Transaction> transactions,
                        List<StandingOrder> standingOrders) {

    public Account {
      transactions = new CopyOnWriteArrayList<>(transactions);
      standingOrders = List.copyOf(standingOrders);
    }

    /** Booked and pending transactions, newest first (read-only). */
    @Override
    public List<Transaction> transactions() {
      return Collections.unmodifiableList(transactions);
    }

    /** Booked and pending transactions, newest first. */
    public List<Transaction> booked() {
      return transactions.stream().filter(Transaction::booked).toList();
    }

    public List<Transaction> pending() {
      return transactions.stream().filter(t -> !t.booked()).toList();
    }

    /** Opening balance plus every booked transaction. */
    public BigDecimal closingBooked() {
      return booked().stream().map(Transaction::amount).reduce(openingBalance, BigDecimal::add);
    }

    /** Booked plus pending. */
    public BigDecimal expected() {
      return pending().stream().map(Transaction::amount).reduce(closingBooked(), BigDecimal::add);
    }
  }

  /**
   * A transaction; {@code bookingDate} is null for a pending one. A negative amount is a debit (the counterparty is
   * the creditor), a positive one a credit (the counterparty is the debtor).
   */
  public record Transaction(String transactionId, String entryReference, String endToEndId, LocalDate bookingDate,
                            LocalDate valueDate, BigDecimal amount, String counterpartyName,
                            String counterpartyIban, String remittance, String bankTransactionCode,
                            boolean booked) {

    /** The date a period filter uses: the booking date, or for a pending one its value date. */
    public LocalDate date() {
      return booked ? bookingDate : valueDate;
    }
  }

  /** An active standing order (reported with bookingStatus=information). */
  public record StandingOrder(String id, BigDecimal amount, String creditorName, String creditorIban,
                              String remittance, LocalDate startDate, String frequency, int dayOfExecution) {
  }

  private static final String[][] CUSTOMERS = {
      // username, password, name, kind
      {"anna", "anna-sandbox-1", "Anna Schmidt", "private"},
      {"ben", "ben-sandbox-2", "Ben Mueller", "family"},
      {"clara", "clara-sandbox-3", "Clara Weber", "single"},
      {"kraus", "kraus-sandbox-4", "Kraus Maschinenbau GmbH", "business"},
  };

  private static final String[] COUNTERPARTY_BANK_CODES = {
      "10010010", "20010020", "37010050", "50010060", "60010070", "70010080", "76010085", "86010090"};

  private final String bankId;
  private final String bankCode;
  private final String bic;
  private final LocalDate asOf;
  private final List<Customer> customers;
  private final Map<String, Account> accountsById = new LinkedHashMap<>();
  private final Map<String, Account> accountsByIban = new LinkedHashMap<>();

  private BankData(String bankId, String bankCode, String bic, LocalDate asOf, List<Customer> customers) {
    this.bankId = bankId;
    this.bankCode = bankCode;
    this.bic = bic;
    this.asOf = asOf;
    this.customers = List.copyOf(customers);
    for (Customer c : customers) {
      for (Account a : c.accounts()) {
        accountsById.put(a.resourceId(), a);
        accountsByIban.put(a.iban(), a);
      }
    }
  }

  /**
   * Generates the bank's data.
   *
   * @param bankId the bank id (e.g. {@code alpha}): names the bank code and BIC, so two banks never share an IBAN
   * @param seed   varies amounts, dates and counterparties
   * @param asOf   "today" for the data
   */
  public static BankData generate(String bankId, long seed, LocalDate asOf) {
    String bankCode = bankCode(bankId);
    String bic = bic(bankId);
    Random random = new Random(seed ^ bankId.hashCode());
    List<Customer> customers = new ArrayList<>();
    for (int i = 0; i < CUSTOMERS.length; i++) {
      String[] c = CUSTOMERS[i];
      String customerId = "cust-" + bankId + "-" + (i + 1);
      List<Account> accounts = new ArrayList<>();
      List<String[]> kinds = switch (c[3]) {
        case "private" -> List.of(new String[] {"Girokonto", "CACC", "PRIV"},
            new String[] {"Tagesgeld", "SVGS", "PRIV"});
        case "family" -> List.of(new String[] {"Girokonto", "CACC", "PRIV"},
            new String[] {"Gemeinschaftskonto", "CACC", "PRIV"}, new String[] {"Sparkonto", "SVGS", "PRIV"});
        case "single" -> List.<String[]>of(new String[] {"Girokonto", "CACC", "PRIV"});
        default -> List.of(new String[] {"Geschaeftskonto", "CACC", "ORGA"},
            new String[] {"Geschaeftskonto Lohn", "CACC", "ORGA"});
      };
      for (int a = 0; a < kinds.size(); a++) {
        String[] k = kinds.get(a);
        long accountNumber = 1_000_000_000L + (i + 1) * 1_000_000L + (a + 1) * 1_000L + random.nextInt(1000);
        String iban = Iban.german(bankCode, accountNumber);
        String resourceId = UUID.nameUUIDFromBytes((bankId + "/" + iban).getBytes(StandardCharsets.UTF_8))
            .toString();
        accounts.add(account(random, resourceId, iban, k[0], k[1], k[2], c[2], bic, customerId, c[3], asOf));
      }
      customers.add(new Customer(customerId, c[0], c[1], c[2], List.copyOf(accounts)));
    }
    return new BankData(bankId, bankCode, bic, asOf, customers);
  }

  /** The 8-digit bank code for a bank id: alpha 50010517, beta 50020527, others derived from the id. */
  static String bankCode(String bankId) {
    return switch (bankId) {
      case "alpha" -> "50010517";
      case "beta" -> "50020527";
      default -> String.format(Locale.ROOT, "5%07d", Math.floorMod(bankId.hashCode(), 10_000_000));
    };
  }

  /** The BIC for a bank id, e.g. ALPHDEFFXXX. */
  static String bic(String bankId) {
    StringBuilder letters = new StringBuilder();
    for (char ch : bankId.toUpperCase(Locale.ROOT).toCharArray()) {
      if (ch >= 'A' && ch <= 'Z' && letters.length() < 4) {
        letters.append(ch);
      }
    }
    while (letters.length() < 4) {
      letters.append('X');
    }
    return letters + "DEFFXXX";
  }

  private static Account account(Random random, String resourceId, String iban, String name, String cashType,
                                 String usage, String owner, String bic, String customerId, String kind,
                                 LocalDate asOf) {
    String shortId = iban.substring(iban.length() - 6);
    List<Transaction> txs = new ArrayList<>();
    List<StandingOrder> orders = new ArrayList<>();
    boolean savings = cashType.equals("SVGS");
    boolean business = usage.equals("ORGA");
    LocalDate start = asOf.minusDays(365);
    int seq = 0;
    // Recurring entries first (monthly), then random everyday ones.
    for (LocalDate month = start.withDayOfMonth(1); !month.isAfter(asOf); month = month.plusMonths(1)) {
      if (savings) {
        add(txs, random, shortId, ++seq, business(month.withDayOfMonth(3)), amount(random, 100, 400),
            owner, counterpartyIban(random), "Dauerauftrag Sparen", "PMNT-RCDT-ESCT", start, asOf);
        if (month.getMonthValue() % 3 == 0) {
          add(txs, random, shortId, ++seq, business(month.withDayOfMonth(28)), amount(random, 5, 40),
              "Zinsgutschrift", null, "Zinsen " + month.getMonth(), "LDAS-CSLN-INTR", start, asOf);
        }
        continue;
      }
      if (business) {
        add(txs, random, shortId, ++seq, business(month.withDayOfMonth(25)), amount(random, -48_000, -31_000),
            "Lohn und Gehalt Sammelueberweisung", counterpartyIban(random), "Loehne " + month.getMonth(),
            "PMNT-ICDT-ESCT", start, asOf);
        add(txs, random, shortId, ++seq, business(month.withDayOfMonth(10)), amount(random, -12_000, -6_000),
            "Finanzamt Muenchen", counterpartyIban(random), "Umsatzsteuer-Voranmeldung", "PMNT-ICDT-ESCT",
            start, asOf);
      } else {
        add(txs, random, shortId, ++seq, business(month.withDayOfMonth(1)), amount(random, -1_250, -780),
            "Hausverwaltung Lindner", counterpartyIban(random), "Miete " + month.getMonth(), "PMNT-ICDT-ESCT",
            start, asOf);
        add(txs, random, shortId, ++seq, business(month.withDayOfMonth(27)), amount(random, 2_400, 4_100),
            "Arbeitgeber Nordwerk AG", counterpartyIban(random), "Gehalt " + month.getMonth(), "PMNT-RCDT-ESCT",
            start, asOf);
        add(txs, random, shortId, ++seq, business(month.withDayOfMonth(15)), amount(random, -95, -60),
            "Stadtwerke Energie", counterpartyIban(random), "Abschlag Strom/Gas", "PMNT-IDDT-ESDD", start, asOf);
      }
    }
    String[][] everyday = business
        ? new String[][] {
            {"Stahlhandel Becker KG", "-", "Rechnung "}, {"Logistik Express GmbH", "-", "Fracht "},
            {"Kunde Hoffmann Anlagenbau", "+", "Zahlung Rechnung "}, {"Kunde Vogel Technik AG", "+", "RE-"},
            {"Buerobedarf Klein", "-", "Bestellung "}, {"Kunde Schulz Industrie", "+", "Rg. "}}
        : savings
            ? new String[][] {{"Eigenes Girokonto", "-", "Umbuchung "}, {"Eigenes Girokonto", "+", "Umbuchung "}}
            : new String[][] {
                {"REWE Markt", "-", "Kartenzahlung "}, {"EDEKA", "-", "Kartenzahlung "}, {"ALDI SUED", "-",
                    "Kartenzahlung "}, {"Amazon EU S.a.r.l.", "-", "Bestellung "}, {"DB Fernverkehr AG", "-",
                    "Ticket "}, {"Geldautomat", "-", "Bargeldauszahlung "}, {"Restaurant Bella Vista", "-",
                    "Kartenzahlung "}, {"Apotheke am Markt", "-", "Kartenzahlung "}, {"Freund Lukas Braun", "+",
                    "Danke fuer "}, {"Drogerie dm", "-", "Kartenzahlung "}};
    int target = savings ? 220 + random.nextInt(60) : 260 + random.nextInt(140);
    while (txs.size() < target) {
      String[] e = everyday[random.nextInt(everyday.length)];
      LocalDate date = start.plusDays(random.nextInt(366));
      if (date.isAfter(asOf)) {
        continue;
      }
      boolean credit = e[1].equals("+");
      BigDecimal amount = business
          ? amount(random, 300, 9_000)
          : savings ? amount(random, 50, 600) : amount(random, 3, 180);
      if (!credit) {
        amount = amount.negate();
      }
      String code = e[0].equals("Geldautomat") ? "PMNT-CCRD-CWDL"
          : e[2].startsWith("Kartenzahlung") ? "PMNT-CCRD-POSD" : credit ? "PMNT-RCDT-ESCT" : "PMNT-ICDT-ESCT";
      String cpIban = e[2].startsWith("Kartenzahlung") || e[0].equals("Geldautomat") ? null : counterpartyIban(random);
      add(txs, random, shortId, ++seq, date, amount, e[0], cpIban,
          e[2] + String.format(Locale.ROOT, "%06d", random.nextInt(1_000_000)), code, start, asOf);
    }
    // A few pending ones: card payments not yet booked.
    if (!savings) {
      int pending = 2 + random.nextInt(3);
      for (int p = 0; p < pending; p++) {
        String id = shortId + "-P" + (p + 1);
        txs.add(new Transaction(id, id, null, null, asOf.minusDays(random.nextInt(2)),
            amount(random, business ? -2_000 : -90, business ? -100 : -4), business ? "Tankstelle Aral" : "Lieferando",
            null, "Vormerkung Kartenzahlung", "PMNT-CCRD-POSD", false));
      }
      orders.add(new StandingOrder(shortId + "-SO1", business ? new BigDecimal("-1450.00") : new BigDecimal("-150.00"),
          business ? "Leasing Nord GmbH" : "Eigenes Sparkonto", counterpartyIban(random),
          business ? "Leasingrate Maschine" : "Monatlich sparen", start.minusMonths(14).withDayOfMonth(1), "Monthly",
          business ? 5 : 2));
    }
    txs.sort(Comparator.comparing(Transaction::date).reversed().thenComparing(Transaction::transactionId));
    // Opening balance so the account never looks overdrawn at the end.
    BigDecimal sum = txs.stream().filter(Transaction::booked).map(Transaction::amount)
        .reduce(BigDecimal.ZERO, BigDecimal::add);
    BigDecimal opening = sum.negate().add(amount(random, business ? 20_000 : 500, business ? 90_000 : 6_000))
        .max(BigDecimal.ZERO.setScale(2));
    return new Account(resourceId, iban, "EUR", name, name, cashType, usage, owner, bic, customerId, opening,
        List.copyOf(txs), List.copyOf(orders));
  }

  private static void add(List<Transaction> txs, Random random, String shortId, int seq, LocalDate bookingDate,
                          BigDecimal amount, String counterparty, String counterpartyIban, String remittance,
                          String code, LocalDate start, LocalDate asOf) {
    if (bookingDate.isBefore(start) || !bookingDate.isBefore(asOf.plusDays(1))) {
      return;
    }
    String id = shortId + "-" + String.format(Locale.ROOT, "%05d", seq);
    LocalDate valueDate = amount.signum() < 0 ? bookingDate : bookingDate.plusDays(random.nextInt(2));
    String e2e = code.endsWith("ESCT") ? "E2E" + Long.toString(Math.abs(random.nextLong()), 36).toUpperCase(Locale.ROOT)
        : null;
    if (remittance.length() > 140) {
      remittance = remittance.substring(0, 140);
    }
    txs.add(new Transaction(id, "R" + id, e2e, bookingDate, valueDate, amount, counterparty, counterpartyIban,
        remittance, code, true));
  }

  private static LocalDate business(LocalDate d) {
    if (d.getDayOfWeek() == DayOfWeek.SATURDAY) {
      return d.plusDays(2);
    }
    if (d.getDayOfWeek() == DayOfWeek.SUNDAY) {
      return d.plusDays(1);
    }
    return d;
  }

  private static BigDecimal amount(Random random, int from, int to) {
    long cents = (long) from * 100 + (long) (random.nextDouble() * ((long) (to - from) * 100));
    return BigDecimal.valueOf(cents, 2).setScale(2, RoundingMode.UNNECESSARY);
  }

  private static String counterpartyIban(Random random) {
    String code = COUNTERPARTY_BANK_CODES[random.nextInt(COUNTERPARTY_BANK_CODES.length)];
    return Iban.german(code, 100_000_000L + random.nextInt(900_000_000));
  }

  public String bankId() {
    return bankId;
  }

  public String bankCode() {
    return bankCode;
  }

  public String bic() {
    return bic;
  }

  /** The day the data was generated for. */
  public LocalDate asOf() {
    return asOf;
  }

  public List<Customer> customers() {
    return customers;
  }

  public Optional<Customer> customer(String customerId) {
    return customers.stream().filter(c -> c.customerId().equals(customerId)).findFirst();
  }

  public Optional<Customer> customerByUsername(String username) {
    return customers.stream().filter(c -> c.username().equals(username)).findFirst();
  }

  public Optional<Account> account(String resourceId) {
    return Optional.ofNullable(accountsById.get(resourceId));
  }

  public Optional<Account> accountByIban(String iban) {
    return Optional.ofNullable(accountsByIban.get(iban));
  }

  /**
   * The funds check of an authorised payment: when its amount (the negative {@code pending} debit) is at most the
   * account's available balance (interimAvailable: booked plus pending), the debit is added as a pending
   * transaction and true returned; otherwise nothing changes.
   */
  boolean reserve(Account account, Transaction pending) {
    synchronized (account) {
      if (pending.amount().negate().compareTo(account.expected()) > 0) {
        return false;
      }
      account.transactions.add(0, pending);
      return true;
    }
  }

  /** The execution: the pending transaction {@code transactionId} (if any) is replaced by the booked one. */
  void book(Account account, String transactionId, Transaction booked) {
    synchronized (account) {
      account.transactions.removeIf(t -> !t.booked() && t.transactionId().equals(transactionId));
      account.transactions.add(0, booked);
    }
  }

  /** A cancelled payment's pending debit is dropped. */
  void release(Account account, String transactionId) {
    synchronized (account) {
      account.transactions.removeIf(t -> !t.booked() && t.transactionId().equals(transactionId));
    }
  }
}
