Feature: Consent creation and once-only session collection
  As a CRM developer
  I want to start a customer's authorisation at a bank and collect the hub token only when it is due
  So that no token is ever handed out for a journey the customer did not finish

  Background:
    Given I send the CRM's API key

  @registered-return-url
  Scenario: Creating a consent answers 201 with the authorisation URL and the state
    Given the customer is present
    And I set X-Request-ID header to `requestId`
    And a valid consent request
    When I send POST /banks/`bankId`/consents
    Then the response should start the authorisation
    And the response should echo my X-Request-ID
    And response body path $.consentStatus should be received

  @registered-return-url
  Scenario: The token of a journey the customer has not finished cannot be collected
    Given the customer is present
    And a valid consent request
    When I send POST /banks/`bankId`/consents
    Then the response should start the authorisation
    Given I send a JSON body
      """
      {"state": "`state`"}
      """
    When I send POST /sessions
    Then the response should be a "session-not-found" problem with status 404

  Scenario: Collecting the session of an unknown state is 404 session-not-found
    Given I send a JSON body
      """
      {"state": "`unknownState`"}
      """
    When I send POST /sessions
    Then the response should be a "session-not-found" problem with status 404
