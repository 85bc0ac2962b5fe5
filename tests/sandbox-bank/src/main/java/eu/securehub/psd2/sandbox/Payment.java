package eu.securehub.psd2.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A payment initiation held by the bank: a single payment ({@code payments}) or a standing order
 * ({@code periodic-payments}). The request's values are final; the lifecycle state is guarded by the instance's lock
 * ({@code synchronized (payment)}), which {@link PaymentInitiation} holds for every read and change.
 */
final class Payment {

  /** Berlin Group transactionStatus values this bank uses. */
  static final String RCVD = "RCVD";
  static final String ACTC = "ACTC";
  static final String ACSP = "ACSP";
  static final String ACSC = "ACSC";
  static final String RJCT = "RJCT";
  static final String CANC = "CANC";

  final String id;
  final String tppOrganisation;
  /** {@code payments} or {@code periodic-payments}. */
  final String service;
  final String product;
  /** The initiation body as the TPP sent it (never changed; GET answers a copy). */
  final ObjectNode body;
  final String debtorIban;
  final String creditorIban;
  final String creditorName;
  final String currency;
  final BigDecimal amount;
  final String remittance;
  final String endToEndId;
  /** A future-dated single SCT's day, or null. */
  final LocalDate requestedExecutionDate;
  /** A standing order's schedule, or null for a single payment. */
  final Schedule schedule;

  // Guarded by this.
  String status = RCVD;
  /** Null until the funds check; false when the payment was rejected for lack of funds. */
  Boolean fundsAvailable;
  /** The customer whose SCA authorised the payment. */
  String customerId;
  /** The execution has been scheduled (single payments). */
  boolean executing;
  /** A standing order's DELETE answered 202: the cancellation awaits the customer's authorisation. */
  boolean cancellationPending;

  Payment(String id, String tppOrganisation, String service, String product, ObjectNode body, String debtorIban,
          String creditorIban, String creditorName, String currency, BigDecimal amount, String remittance,
          String endToEndId, LocalDate requestedExecutionDate, Schedule schedule) {
    this.id = id;
    this.tppOrganisation = tppOrganisation;
    this.service = service;
    this.product = product;
    this.body = body;
    this.debtorIban = debtorIban;
    this.creditorIban = creditorIban;
    this.creditorName = creditorName;
    this.currency = currency;
    this.amount = amount;
    this.remittance = remittance;
    this.endToEndId = endToEndId;
    this.requestedExecutionDate = requestedExecutionDate;
    this.schedule = schedule;
  }

  /** {@code /v1/{service}/{product}/{paymentId}}. */
  String path() {
    return "/v1/" + service + "/" + product + "/" + id;
  }

  boolean standingOrder() {
    return schedule != null;
  }

  boolean instant() {
    return product.equals("instant-sepa-credit-transfers");
  }

  /**
   * A standing order's schedule (Berlin Group periodic payment attributes). Execution days: Daily every day,
   * Weekly and EveryTwoWeeks on the start date's weekday, the monthly frequencies on {@code dayOfExecution} (default:
   * the start date's day; 31 and days past the month's end are its last day), from the start date up to the end date.
   * With an {@code executionRule}, a Saturday or Sunday moves to the following or preceding Monday to Friday (the
   * bank knows no holidays); without one, days stay as they are.
   *
   * @param endDate         null: until cancelled
   * @param executionRule   {@code following}, {@code preceding} or null
   * @param dayOfExecution  1..31 or null
   */
  record Schedule(LocalDate startDate, LocalDate endDate, String frequency, String executionRule,
                  Integer dayOfExecution) {

    /** Months between two executions of the monthly frequencies. */
    static final Map<String, Integer> MONTHS = Map.of("Monthly", 1, "MonthlyVariable", 1, "EveryTwoMonths", 2,
        "Quarterly", 3, "SemiAnnual", 6, "Annual", 12);
    /** Every Berlin Group frequencyCode (EventFrequency7Code). */
    static final List<String> FREQUENCIES = List.of("Daily", "Weekly", "EveryTwoWeeks", "Monthly",
        "EveryTwoMonths", "Quarterly", "SemiAnnual", "Annual", "MonthlyVariable");

    /** The next {@code n} execution days on or after {@code from} (fewer when the end date comes first). */
    List<LocalDate> nextExecutions(LocalDate from, int n) {
      List<LocalDate> out = new ArrayList<>();
      LocalDate previous = null;
      // Bounded: at most n results, and no schedule needs more than ~400 steps a year to pass `from`.
      for (long k = 0; out.size() < n && k < 200_000; k++) {
        LocalDate nominal = nominal(k);
        if (nominal == null) {
          continue;
        }
        if (endDate != null && nominal.isAfter(endDate)) {
          break;
        }
        LocalDate day = shift(nominal);
        if (!day.isBefore(from) && !day.equals(previous)) {
          out.add(day);
          previous = day;
        }
      }
      return out;
    }

    /** The k-th execution day before the execution rule; null when it lies before the start date. */
    private LocalDate nominal(long k) {
      switch (frequency) {
        case "Daily":
          return startDate.plusDays(k);
        case "Weekly":
          return startDate.plusWeeks(k);
        case "EveryTwoWeeks":
          return startDate.plusWeeks(2 * k);
        default:
          YearMonth month = YearMonth.from(startDate).plusMonths(k * MONTHS.getOrDefault(frequency, 1));
          int day = dayOfExecution != null ? dayOfExecution : startDate.getDayOfMonth();
          LocalDate d = month.atDay(Math.min(day, month.lengthOfMonth()));
          return d.isBefore(startDate) ? null : d;
      }
    }

    private LocalDate shift(LocalDate d) {
      if (executionRule == null) {
        return d;
      }
      int step = executionRule.equals("preceding") ? -1 : 1;
      while (d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY) {
        d = d.plusDays(step);
      }
      return d;
    }
  }
}
