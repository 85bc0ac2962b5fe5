'use strict';

/*
 * The hub's own steps, on top of apickli's library. Paths are relative to HUB_BASE_URL and may use scenario
 * variables (`bankId`); apickli's "I GET /x" does not substitute variables in the path, so these steps do it first.
 */
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
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
  // No internals: the CRM developer's guide promises no stack trace, token or secret in any problem.
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

// ------------------------------------------------------------------------------------------------------ payments

const PAYMENT_ID = /^pay_[A-Za-z0-9_-]{48}$/;

function header(world, name) {
  const value = response(world).headers[name.toLowerCase()];
  return value === undefined ? undefined : String(value);
}

/** A single payment (or, with a schedule, a standing order) from `account` to the creditor, as the CRM developer's guide shows it. */
function paymentRequest(world, account, schedule) {
  const v = world.apickli.scenarioVariables;
  const body = {
    instructedAmount: {currency: 'EUR', amount: '12.34'},
    debtorAccount: {iban: account},
    creditorName: 'Stadtwerke Musterstadt',
    creditorAccount: {iban: v.creditorIban},
    remittanceInformationUnstructured: 'Invoice 2026-001',
    returnUrl: v.returnUrl,
  };
  if (schedule) {
    const start = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    Object.assign(body, {
      startDate: start.toISOString().slice(0, 10),
      frequency: 'Monthly',
      dayOfExecution: String(start.getUTCDate()),
    });
  }
  return body;
}

function sendJson(world, body) {
  world.apickli.setRequestHeader('Content-Type', 'application/json');
  world.apickli.setRequestBody(JSON.stringify(body));
  world.apickli.storeValueInScenarioScope('paymentRequest', body);
}

/** Sets the member at a JSON pointer (/a/b) of an object, creating nothing: the member's parent must exist. */
function setMember(object, pointer, value) {
  const names = pointer.split('/').slice(1).map((n) => n.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = names.pop();
  const parent = names.reduce((o, n) => o[n], object);
  assert.ok(parent && typeof parent === 'object', 'no member ' + pointer + ' in ' + JSON.stringify(object));
  parent[last] = value;
}

Given('a payment request', function() {
  sendJson(this, paymentRequest(this, this.apickli.scenarioVariables.debtorIban, false));
});

Given('a standing order request', function() {
  sendJson(this, paymentRequest(this, this.apickli.scenarioVariables.debtorIban, true));
});

Given('a payment request from the decoupled bank\'s account without psuId', function() {
  sendJson(this, paymentRequest(this, this.apickli.scenarioVariables.decoupledIban, false));
});

// The value may use scenario variables (`badIban`).
Given(/^a payment request with (\/\S+) set to "([^"]*)"$/, function(pointer, value) {
  const body = paymentRequest(this, this.apickli.scenarioVariables.debtorIban, false);
  setMember(body, pointer, this.apickli.replaceVariables(value));
  sendJson(this, body);
});

Given('the same payment request with {word} set to {string}', function(pointer, value) {
  const body = structuredClone(this.apickli.scenarioVariables.paymentRequest);
  assert.ok(body, 'no payment request was sent before');
  setMember(body, pointer, this.apickli.replaceVariables(value));
  sendJson(this, body);
});

Given('a fresh Idempotency-Key', function() {
  this.apickli.storeValueInScenarioScope('idempotencyKey', crypto.randomUUID());
  this.apickli.setRequestHeader('Idempotency-Key', '`idempotencyKey`');
});

Given('I send no body', function() {
  this.apickli.setRequestBody('');
  // apickli 3.0.3 reuses one options object for every request of a scenario: a body sent before would go again.
  delete this.apickli.httpRequestOptions.body;
  this.apickli.removeRequestHeader('Content-Type');
  this.apickli.removeRequestHeader('Idempotency-Key');
});

Then('the response should create a {string} payment of {string} with next step {string}',
    function(service, product, nextStep) {
      const r = response(this);
      assert.equal(r.statusCode, 201, describe(this));
      assert.match(String(r.headers['content-type']), /^application\/json/, describe(this));
      assert.match(String(r.headers['x-request-id']), UUID, 'X-Request-ID header: ' + describe(this));
      assert.notEqual(header(this, 'Idempotent-Replayed'), 'true', 'a first answer is not a replay: ' + describe(this));
      const body = json(this);
      assert.match(String(body.paymentId), PAYMENT_ID, 'paymentId: ' + describe(this));
      assert.equal(body.paymentService, service, describe(this));
      assert.equal(body.paymentProduct, product, describe(this));
      assert.equal(body.transactionStatus, 'RCVD', describe(this));
      assert.match(String(body.state), /^[A-Za-z0-9_-]{32,}$/, 'state: ' + describe(this));
      assert.equal(body.nextStep, nextStep, describe(this));
      if (nextStep === 'redirect') {
        assert.doesNotThrow(() => new URL(body.authorisationUrl), 'authorisationUrl is a URL: ' + describe(this));
        assert.equal(new URL(body.authorisationUrl).protocol, 'https:', 'authorisationUrl is https: ' + describe(this));
      }
      assert.ok(Number.isInteger(body.expiresIn) && body.expiresIn > 0, 'expiresIn: ' + describe(this));
      const base = this.apickli.scenarioVariables.basePath;
      assert.equal(header(this, 'Location'), base + '/payments/' + body.paymentId, 'Location: ' + describe(this));
      // The payment's account data is not echoed: neither IBAN of the request is in the answer.
      const request = this.apickli.scenarioVariables.paymentRequest;
      assert.ok(!r.body.includes(request.debtorAccount.iban), 'no debtor IBAN in the answer: ' + describe(this));
      this.apickli.storeValueInScenarioScope('paymentId', body.paymentId);
      this.apickli.storeValueInScenarioScope('paymentService', body.paymentService);
      this.apickli.storeValueInScenarioScope('paymentProduct', body.paymentProduct);
      this.apickli.storeValueInScenarioScope('state', body.state);
      this.apickli.storeValueInScenarioScope('firstAnswer', r.body);
    });

Then('the response should be the first answer again, marked as replayed', function() {
  const r = response(this);
  assert.equal(r.statusCode, 201, describe(this));
  assert.match(String(r.headers['content-type']), /^application\/json/, describe(this));
  assert.equal(header(this, 'Idempotent-Replayed'), 'true', 'Idempotent-Replayed: ' + describe(this));
  assert.equal(r.body, this.apickli.scenarioVariables.firstAnswer,
      'the same body as the first answer: ' + describe(this));
  // The replay keeps the first answer's Location.
  assert.equal(header(this, 'Location'), this.apickli.scenarioVariables.basePath + '/payments/'
      + this.apickli.scenarioVariables.paymentId, 'Location: ' + describe(this));
});

Then('the problem should name {word} {string} without echoing {string}', function(where, name, value) {
  const r = response(this);
  const problem = json(this);
  const params = problem.invalidParams;
  assert.ok(Array.isArray(params) && params.length > 0 && params.length <= 20, 'invalidParams: ' + describe(this));
  params.forEach((p) => {
    assert.equal(typeof p.in, 'string', 'invalidParams[].in: ' + describe(this));
    assert.equal(typeof p.reason, 'string', 'invalidParams[].reason: ' + describe(this));
  });
  assert.ok(params.some((p) => p.in === where && p.name === name), 'invalidParams names ' + where + ' ' + name + ': '
      + describe(this));
  assert.equal(typeof problem.detail, 'string', describe(this));
  assert.ok(problem.detail.includes(name), 'detail names ' + name + ': ' + describe(this));
  const echoed = this.apickli.replaceVariables(value);
  if (echoed) {
    assert.ok(!r.body.includes(echoed), 'the refused value is not echoed: ' + describe(this));
  }
});

Then('the problem should say the payment product must be one of {string}', function(products) {
  const problem = json(this);
  const reason = 'must be one of ' + products;
  assert.ok(String(problem.detail).includes(reason), 'detail: ' + describe(this));
  assert.ok(Array.isArray(problem.invalidParams) && problem.invalidParams.some((p) => p.reason === reason),
      'invalidParams: ' + describe(this));
});

Then('the payment\'s status should be {string}', function(status) {
  const r = response(this);
  assert.equal(r.statusCode, 200, describe(this));
  assert.match(String(r.headers['content-type']), /^application\/json/, describe(this));
  assert.match(String(r.headers['x-request-id']), UUID, 'X-Request-ID header: ' + describe(this));
  const body = json(this);
  assert.equal(body.paymentId, this.apickli.scenarioVariables.paymentId, describe(this));
  assert.equal(body.paymentService, this.apickli.scenarioVariables.paymentService, describe(this));
  assert.equal(body.paymentProduct, this.apickli.scenarioVariables.paymentProduct, describe(this));
  assert.equal(body.transactionStatus, status, describe(this));
  const allowed = ['paymentId', 'paymentService', 'paymentProduct', 'transactionStatus', 'fundsAvailable', 'reasons'];
  assert.deepEqual(Object.keys(body).filter((k) => !allowed.includes(k)), [], 'members of a status: ' + describe(this));
});

Then('the payment should be cancelled at once', function() {
  const r = response(this);
  assert.equal(r.statusCode, 200, describe(this));
  assert.match(String(r.headers['content-type']), /^application\/json/, describe(this));
  const body = json(this);
  assert.equal(body.paymentId, this.apickli.scenarioVariables.paymentId, describe(this));
  assert.equal(body.transactionStatus, 'CANC', describe(this));
  assert.equal(body.nextStep, 'none', describe(this));
  assert.equal(body.authorisationUrl, undefined, describe(this));
});
