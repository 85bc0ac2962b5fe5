package eu.securehub.psd2.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Berlin Group AIS consent held by the bank. Mutable; every method synchronises on the instance. */
final class Consent {

  /** What the TPP asked for. */
  enum Kind {
    /** accounts/balances/transactions naming IBANs. */
    DEDICATED,
    /** accounts/balances/transactions all empty: the customer chooses the accounts at the bank. */
    BANK_OFFERED,
    /** availableAccounts: the account list only. */
    AVAILABLE_ACCOUNTS,
    /** availableAccountsWithBalance: the account list with balances. */
    AVAILABLE_ACCOUNTS_WITH_BALANCE,
    /** allPsd2: every account, every service. */
    ALL_PSD2
  }

  /** What the consent grants on one account. */
  record Permissions(boolean details, boolean balances, boolean transactions) {
  }

  static final Duration WINDOW = Duration.ofHours(24);

  final String id;
  final String tppOrganisation;
  final ObjectNode access;
  final Kind kind;
  final boolean recurring;
  final LocalDate validUntil;
  final int frequencyPerDay;
  final boolean combinedServiceIndicator;
  final Instant createdAt;
  private String status = "received";
  private LocalDate lastActionDate;
  private String customerId;
  private final Map<String, Permissions> accounts = new LinkedHashMap<>();
  private final Map<String, Deque<Instant>> unattended = new HashMap<>();

  Consent(String id, String tppOrganisation, ObjectNode access, Kind kind, boolean recurring, LocalDate validUntil,
          int frequencyPerDay, boolean combinedServiceIndicator, Instant createdAt, LocalDate today) {
    this.id = id;
    this.tppOrganisation = tppOrganisation;
    this.access = access;
    this.kind = kind;
    this.recurring = recurring;
    this.validUntil = validUntil;
    this.frequencyPerDay = frequencyPerDay;
    this.combinedServiceIndicator = combinedServiceIndicator;
    this.createdAt = createdAt;
    this.lastActionDate = today;
  }

  /** The status on this day: a consent past its validUntil is expired (kept once seen). */
  synchronized String status(LocalDate today) {
    if (today.isAfter(validUntil) && (status.equals("valid") || status.equals("received"))) {
      status = "expired";
    }
    return status;
  }

  synchronized void approve(String customerId, Map<String, Permissions> granted, LocalDate today) {
    this.customerId = customerId;
    accounts.clear();
    accounts.putAll(granted);
    status = "valid";
    lastActionDate = today;
  }

  synchronized void setStatus(String status, LocalDate today) {
    this.status = status;
    this.lastActionDate = today;
  }

  synchronized String customerId() {
    return customerId;
  }

  synchronized Map<String, Permissions> accounts() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(accounts));
  }

  synchronized List<String> accountIds() {
    return List.copyOf(accounts.keySet());
  }

  synchronized LocalDate lastActionDate() {
    return lastActionDate;
  }

  synchronized void touch(LocalDate today) {
    lastActionDate = today;
  }

  /**
   * Records one unattended read of a resource (the account list, or one account) if the rolling 24-hour window
   * has room for it.
   *
   * @return false (nothing recorded) when the limit is reached
   */
  synchronized boolean tryUnattended(String resource, Instant now, int limit) {
    Deque<Instant> reads = unattended.computeIfAbsent(resource, r -> new ArrayDeque<>());
    Instant from = now.minus(WINDOW);
    while (!reads.isEmpty() && !reads.peekFirst().isAfter(from)) {
      reads.pollFirst();
    }
    if (reads.size() >= limit) {
      return false;
    }
    reads.addLast(now);
    return true;
  }

  /** The unattended reads of a resource in the 24 hours before {@code now}. */
  synchronized int unattendedReads(String resource, Instant now) {
    Deque<Instant> reads = unattended.get(resource);
    if (reads == null) {
      return 0;
    }
    Instant from = now.minus(WINDOW);
    return (int) reads.stream().filter(i -> i.isAfter(from)).count();
  }
}
