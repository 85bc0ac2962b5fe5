Feature: Account reads need a valid hub token
  As the platform team
  I want every read without a valid hub token refused before a bank is called
  So that an API key alone never reads a customer's accounts

  Background:
    Given I send the CRM's API key

  Scenario: Reading accounts without a hub token is 401 invalid-token
    When I send GET /accounts
    Then the response should be a "invalid-token" problem with status 401

  Scenario: A hub token of the right form that the hub never issued is 401 invalid-token
    Given I set Authorization header to Bearer `unknownToken`
    When I send GET /accounts
    Then the response should be a "invalid-token" problem with status 401

  Scenario Outline: A malformed hub token is 401 invalid-token
    Given I set Authorization header to <authorization>
    When I send GET <path>
    Then the response should be a "invalid-token" problem with status 401

    Examples:
      | authorization                                                      | path                       |
      | Bearer hub_short                                                   | /accounts                  |
      | Bearer hub_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!        | /accounts                  |
      | Basic YWxhZGRpbjpvcGVuc2VzYW1l                                     | /accounts                  |
      | Bearer not-a-hub-token                                             | /consents/current          |
      | Bearer hub_short                                                   | /accounts/acc-1/balances   |
