'use strict';

/*
 * The hub's own steps, on top of apickli's library. Paths are relative to HUB_BASE_URL and may use scenario
 * variables (`bankId`); apickli's "I GET /x" does not substitute variables in the path, so these steps do it first.
 */
const assert = require('node:assert/strict');
const {Given, When, Then} = require('@cucumber/cucumber');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function response(world) {
  const r = world.apickli.getResponseObject();
  assert.ok(r && r.statusCode, 'no response yet');
  return r;
}

function json(world) {
  const r = response(world);
  try {
    return JSON.parse(r.body);
  } catch (e) {
    assert.fail('the body is not JSON (status ' + r.statusCode + ', content-type ' + r.headers['content-type'] + '): '
        + String(r.body).slice(0, 500));
  }
}

function describe(world) {
  const r = response(world);
  return 'HTTP ' + r.statusCode + ' ' + JSON.stringify(r.headers) + ' ' + String(r.body).slice(0, 1000);
}

function consentBody(world, returnUrl) {
  const iban = world.apickli.scenarioVariables.iban;
  const refs = iban ? [{iban}] : [];
  return JSON.stringify({
    returnUrl,
    access: {accounts: refs, balances: refs, transactions: refs},
    recurringIndicator: true,
    validUntil: world.apickli.scenarioVariables.validUntil,
    frequencyPerDay: 4,
  });
}

Given('I send the CRM\'s API key', function() {
  this.apickli.setRequestHeader('x-api-key', '`apiKey`');
});

Given('the customer is present', function() {
  this.apickli.setRequestHeader('PSU-IP-Address', '`psuIp`');
});

Given('I send a JSON body', function(body) {
  this.apickli.setRequestHeader('Content-Type', 'application/json');
  this.apickli.setRequestBody(body);
});

Given('a valid consent request', function() {
  this.apickli.setRequestHeader('Content-Type', 'application/json');
  this.apickli.setRequestBody(consentBody(this, this.apickli.scenarioVariables.returnUrl));
});

Given('a consent request with the return URL {string}', function(returnUrl) {
  this.apickli.setRequestHeader('Content-Type', 'application/json');
  this.apickli.setRequestBody(consentBody(this, returnUrl));
});

Given('a valid consent request sent as {string}', function(contentType) {
  this.apickli.setRequestHeader('Content-Type', contentType);
  this.apickli.setRequestBody(consentBody(this, this.apickli.scenarioVariables.returnUrl));
});

When(/^I send (GET|POST|PUT|PATCH|DELETE) (\/\S*)$/, function(method, path, callback) {
  this.apickli.sendRequest(method, this.apickli.replaceVariables(path), (error) => callback(error));
});

Then('the response should be a {string} problem with status {int}', function(slug, status) {
  const r = response(this);
  assert.equal(r.statusCode, status, describe(this));
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/, describe(this));
  const requestId = r.headers['x-request-id'];
  assert.match(String(requestId), UUID, 'X-Request-ID header: ' + describe(this));
  const problem = json(this);
  assert.equal(problem.type, 'urn:psd2-hub:problem:' + slug, describe(this));
  assert.equal(problem.status, status, describe(this));
  assert.equal(typeof problem.title, 'string', describe(this));
  assert.equal(problem.requestId, requestId, 'requestId of the body = X-Request-ID header: ' + describe(this));
  // No internals: the README promises no stack trace, token or secret in any problem.
  assert.doesNotMatch(r.body, /Exception|\bat [a-z]+\.[a-z]+\.|hub_[A-Za-z0-9_-]{48}/, describe(this));
});

Then('the problem\'s code should be {string}', function(code) {
  assert.equal(json(this).code, code, describe(this));
});

Then('the response should echo my X-Request-ID', function() {
  assert.equal(response(this).headers['x-request-id'], this.apickli.scenarioVariables.requestId, describe(this));
});

Then('the response should start the authorisation', function() {
  const r = response(this);
  assert.equal(r.statusCode, 201, describe(this));
  assert.match(String(r.headers['content-type']), /^application\/json/, describe(this));
  const body = json(this);
  assert.doesNotThrow(() => new URL(body.authorisationUrl), 'authorisationUrl is a URL: ' + describe(this));
  assert.match(new URL(body.authorisationUrl).protocol, /^https:$/, 'authorisationUrl is https: ' + describe(this));
  assert.match(String(body.state), /^[A-Za-z0-9_-]{32,}$/, 'state: ' + describe(this));
  assert.equal(typeof body.consentId, 'string', describe(this));
  assert.ok(Number.isInteger(body.expiresIn) && body.expiresIn > 0, 'expiresIn: ' + describe(this));
  this.apickli.storeValueInScenarioScope('state', body.state);
});
