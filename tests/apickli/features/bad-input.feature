Feature: Bad input is a clear 400
  As a CRM developer
  I want every malformed request refused with a problem that says what is wrong
  So that nothing bad reaches a bank

  Background:
    Given I send the CRM's API key
    And the customer is present

  Scenario: Malformed JSON on consent creation is 400 validation-failed
    Given I send a JSON body
      """
      {"returnUrl":
      """
    When I send POST /banks/`bankId`/consents
    Then the response should be a "validation-failed" problem with status 400

  Scenario: Malformed JSON on session collection is 400 validation-failed
    Given I send a JSON body
      """
      {"state"
      """
    When I send POST /sessions
    Then the response should be a "validation-failed" problem with status 400

  Scenario: A member the spec does not know is refused
    Given I send a JSON body
      """
      {"state": "`unknownState`", "admin": true}
      """
    When I send POST /sessions
    Then the response should be a "validation-failed" problem with status 400

  @registered-return-url
  Scenario: A body that is not JSON is 415 unsupported media type
    Given a valid consent request sent as "text/plain"
    When I send POST /banks/`bankId`/consents
    Then the response should be a "validation-failed" problem with status 415
    And the problem's code should be "unsupported_media_type"

  @registered-return-url
  Scenario Outline: A bank id of the wrong form is 400 validation-failed
    Given a valid consent request
    When I send POST /banks/<bankId>/consents
    Then the response should be a "validation-failed" problem with status 400

    Examples:
      | bankId                                    |
      | ALPHA                                     |
      | al.pha                                    |
      | -alpha                                    |
      | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa |

  @registered-return-url
  Scenario: A bank the hub does not know is 404 unknown-bank
    Given a valid consent request
    When I send POST /banks/no-such-bank/consents
    Then the response should be a "unknown-bank" problem with status 404

  Scenario: A return URL that is not registered for the app is 400: the hub is never an open redirect
    Given a consent request with the return URL "https://evil.example/psd2/return"
    When I send POST /banks/`bankId`/consents
    Then the response should be a "validation-failed" problem with status 400

  @registered-return-url
  Scenario: An X-Request-ID that is not a UUID is 400, answered with a fresh one
    Given a valid consent request
    And I set X-Request-ID header to req-1234
    When I send POST /banks/`bankId`/consents
    Then the response should be a "validation-failed" problem with status 400
