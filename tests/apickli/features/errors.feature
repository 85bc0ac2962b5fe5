Feature: One error shape
  As a CRM developer
  I want every error of the hub as application/problem+json with a stable type and the request id
  So that I can branch on it and quote it when I report a problem

  Scenario: Without an API key the hub answers 401 unauthenticated
    When I send GET /accounts
    Then the response should be a "unauthenticated" problem with status 401

  Scenario: An unknown API key is 401 unauthenticated
    Given I set x-api-key header to not-a-key-of-this-hub-0123456789
    When I send POST /sessions
    Then the response should be a "unauthenticated" problem with status 401

  Scenario: The X-Request-ID I send comes back on an error, in the header and in the body
    Given I set X-Request-ID header to `requestId`
    When I send GET /accounts
    Then the response should be a "unauthenticated" problem with status 401
    And the response should echo my X-Request-ID
    And response body path $.requestId should be `requestId`

  Scenario: An unknown path is 404 not-found
    Given I send the CRM's API key
    When I send GET /no-such-resource
    Then the response should be a "not-found" problem with status 404

  Scenario Outline: A method the path does not define is 405 method-not-allowed
    Given I send the CRM's API key
    When I send <method> <path>
    Then the response should be a "method-not-allowed" problem with status 405

    Examples:
      | method | path                     |
      | GET    | /sessions                |
      | DELETE | /banks/`bankId`/consents |
      | POST   | /accounts                |
