Feature: Payment initiation without a browser
  As a CRM developer
  I want to initiate a customer's payment once per Idempotency-Key, follow its status and cancel it
  So that a retried request never pays twice and a bad one never reaches the bank

  The payments these scenarios create are never authorised: they stay RCVD at the bank (or are cancelled).

  Background:
    Given I send the CRM's API key
    And the customer is present

  @registered-return-url @debtor-account
  Scenario: Creating a payment answers 201 with the payment id, its status and the authorisation to start
    Given a fresh Idempotency-Key
    And I set X-Request-ID header to `requestId`
    And a payment request
    When I send POST /banks/`bankId`/payments/sepa-credit-transfers
    Then the response should create a "payments" payment of "sepa-credit-transfers" with next step "redirect"
    And the response should echo my X-Request-ID

  @registered-return-url @debtor-account
  Scenario: The same Idempotency-Key and body get the first answer again, marked as replayed
    Given a fresh Idempotency-Key
    And a payment request
    When I send POST /banks/`bankId`/payments/instant-sepa-credit-transfers
    Then the response should create a "payments" payment of "instant-sepa-credit-transfers" with next step "redirect"
    When I send POST /banks/`bankId`/payments/instant-sepa-credit-transfers
    Then the response should be the first answer again, marked as replayed

  @registered-return-url @debtor-account
  Scenario: The same Idempotency-Key with another body is 422 idempotency-key-reused
    Given a fresh Idempotency-Key
    And a payment request
    When I send POST /banks/`bankId`/payments/sepa-credit-transfers
    Then the response should create a "payments" payment of "sepa-credit-transfers" with next step "redirect"
    Given the same payment request with /instructedAmount/amount set to "12.35"
    When I send POST /banks/`bankId`/payments/sepa-credit-transfers
    Then the response should be a "idempotency-key-reused" problem with status 422

  @registered-return-url @debtor-account
  Scenario: A payment without an Idempotency-Key is 400 validation-failed
    Given a payment request
    When I send POST /banks/`bankId`/payments/sepa-credit-transfers
    Then the response should be a "validation-failed" problem with status 400
    And the problem should name header "Idempotency-Key" without echoing ""

  @registered-return-url @debtor-account
  Scenario Outline: A refused member is named in invalidParams, its value never echoed
    Given a fresh Idempotency-Key
    And a payment request with <member> set to "<value>"
    When I send POST /banks/`bankId`/payments/sepa-credit-transfers
    Then the response should be a "validation-failed" problem with status 400
    And the problem should name body "<member>" without echoing "<value>"

    Examples:
      | member                   | value     |
      | /instructedAmount/amount | 1.005     |
      | /creditorAccount/iban    | `badIban` |

  @registered-return-url @debtor-account
  Scenario: A payment product the hub does not offer is 400 validation-failed
    Given a fresh Idempotency-Key
    And a payment request
    When I send POST /banks/`bankId`/payments/target-2-payments
    Then the response should be a "validation-failed" problem with status 400
    And the problem should say the payment product must be one of "sepa-credit-transfers, instant-sepa-credit-transfers"

  @registered-return-url @debtor-account
  Scenario: The status of a new payment is RCVD until the customer authorises it
    Given a fresh Idempotency-Key
    And a payment request
    When I send POST /banks/`bankId`/payments/sepa-credit-transfers
    Then the response should create a "payments" payment of "sepa-credit-transfers" with next step "redirect"
    Given I send no body
    When I send GET /payments/`paymentId`/status
    Then the payment's status should be "RCVD"

  Scenario: A payment id the hub never issued is 404 payment-not-found
    When I send GET /payments/`unknownPaymentId`
    Then the response should be a "payment-not-found" problem with status 404

  @registered-return-url @debtor-account
  Scenario: A payment not yet authorised is cancelled at once, and only once
    Given a fresh Idempotency-Key
    And a payment request
    When I send POST /banks/`bankId`/payments/sepa-credit-transfers
    Then the response should create a "payments" payment of "sepa-credit-transfers" with next step "redirect"
    Given I send no body
    When I send DELETE /payments/`paymentId`
    Then the payment should be cancelled at once
    When I send GET /payments/`paymentId`/status
    Then the payment's status should be "CANC"
    When I send DELETE /payments/`paymentId`
    Then the response should be a "payment-not-cancellable" problem with status 409

  @registered-return-url @debtor-account
  Scenario: Setting up a standing order answers 201 with paymentService periodic-payments
    Given a fresh Idempotency-Key
    And a standing order request
    When I send POST /banks/`bankId`/periodic-payments/sepa-credit-transfers
    Then the response should create a "periodic-payments" payment of "sepa-credit-transfers" with next step "redirect"

  @registered-return-url @decoupled-bank
  Scenario: A payment at a decoupled bank without psuId is 400 validation-failed
    Given a fresh Idempotency-Key
    And a payment request from the decoupled bank's account without psuId
    When I send POST /banks/`decoupledBankId`/payments/instant-sepa-credit-transfers
    Then the response should be a "validation-failed" problem with status 400
    And the problem's code should be "psu_id_required"
