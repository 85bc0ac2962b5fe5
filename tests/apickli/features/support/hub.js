'use strict';

/*
 * The target hub, from the environment, so that the same features run against the local hub (mvn verify:
 * ApickliFeaturesTest sets these) and against a real Apigee environment:
 *   HUB_BASE_URL    the hub's base URL, base path included, e.g. https://api.example.eu/psd2/v1 (required)
 *   HUB_API_KEY     the CRM app's API key, sent as x-api-key (required)
 *   HUB_RETURN_URL  a return URL registered for that app (attribute returnUrls); scenarios tagged
 *                   @registered-return-url are skipped without it
 *   HUB_BANK_ID     the bank the consent and payment scenarios use (default alpha)
 *   HUB_IBAN        optional: the consent asks for this account; without it the consent's access lists are empty
 *                   (the customer picks the accounts at the bank)
 *   HUB_DEBTOR_IBAN the debtor account of the payment scenarios, an account held at HUB_BANK_ID (default HUB_IBAN);
 *                   scenarios tagged @debtor-account are skipped without either
 *   HUB_DECOUPLED_BANK_ID   optional: a bank whose customers approve in its app (decoupled SCA); scenarios tagged
 *                   @decoupled-bank are skipped without it
 *   HUB_DECOUPLED_IBAN      optional: an account held at that bank (default HUB_DEBTOR_IBAN)
 * Each scenario gets a fresh apickli instance whose scenario variables hold these values (`apiKey`, `returnUrl`,
 * `bankId`, `validUntil`, ...), usable in steps as `name`.
 */
const crypto = require('node:crypto');
const apickli = require('apickli');
const {Before, BeforeAll, setDefaultTimeout} = require('@cucumber/cucumber');

setDefaultTimeout(30 * 1000);

function target() {
  const base = (process.env.HUB_BASE_URL || '').trim().replace(/\/+$/, '');
  const key = (process.env.HUB_API_KEY || '').trim();
  if (!base || !key) {
    throw new Error('Set HUB_BASE_URL (e.g. https://api.example.eu/psd2/v1) and HUB_API_KEY (the CRM app\'s key): '
        + 'see tests/apickli/README.md');
  }
  const url = new URL(base);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error('HUB_BASE_URL must be an http(s) URL: ' + base);
  }
  return {
    scheme: url.protocol.slice(0, -1),
    // apickli joins scheme + '://' + domain + resource: the domain part keeps the base path (/psd2/v1).
    domain: url.host + url.pathname.replace(/\/+$/, ''),
    key,
    returnUrl: (process.env.HUB_RETURN_URL || '').trim(),
    bankId: (process.env.HUB_BANK_ID || 'alpha').trim(),
    iban: (process.env.HUB_IBAN || '').trim(),
    debtorIban: (process.env.HUB_DEBTOR_IBAN || process.env.HUB_IBAN || '').trim(),
    decoupledBankId: (process.env.HUB_DECOUPLED_BANK_ID || '').trim(),
    decoupledIban: (process.env.HUB_DECOUPLED_IBAN || process.env.HUB_DEBTOR_IBAN || process.env.HUB_IBAN || '').trim(),
    // The base path (/psd2/v1): the hub's Location headers are paths under it.
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

let hub;

BeforeAll(function() {
  hub = target();
  console.log('Target hub: ' + hub.scheme + '://' + hub.domain + ' (bank ' + hub.bankId + ')');
});

Before(function() {
  this.apickli = new apickli.Apickli(hub.scheme, hub.domain);
  const vars = {
    apiKey: hub.key,
    bankId: hub.bankId,
    returnUrl: hub.returnUrl,
    iban: hub.iban,
    debtorIban: hub.debtorIban,
    decoupledBankId: hub.decoupledBankId,
    decoupledIban: hub.decoupledIban,
    basePath: hub.basePath,
    // A creditor account with valid check digits (the Bundesbank's example IBAN), and one whose check digits fail.
    creditorIban: 'DE02120300000000202051',
    badIban: 'DE02120300000000202052',
    psuIp: '203.0.113.7',
    validUntil: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10),
    requestId: crypto.randomUUID(),
    // A state of the right form (43 base64url characters) that the hub never issued.
    unknownState: crypto.randomBytes(32).toString('base64url'),
    // Hub tokens of the right form (hub_ + 48) that the hub never issued, and malformed ones.
    unknownToken: 'hub_' + crypto.randomBytes(36).toString('base64url'),
    // A payment id of the right form (pay_ + 48) that the hub never issued.
    unknownPaymentId: 'pay_' + crypto.randomBytes(36).toString('base64url'),
  };
  Object.entries(vars).forEach(([name, value]) => this.apickli.storeValueInScenarioScope(name, value));
});

Before({tags: '@registered-return-url'}, function() {
  if (!hub.returnUrl) {
    console.log('HUB_RETURN_URL is not set: skipping a scenario that needs a registered return URL');
    return 'skipped';
  }
});

Before({tags: '@debtor-account'}, function() {
  if (!hub.debtorIban) {
    console.log('HUB_DEBTOR_IBAN (or HUB_IBAN) is not set: skipping a scenario that needs a debtor account');
    return 'skipped';
  }
});

Before({tags: '@decoupled-bank'}, function() {
  if (!hub.decoupledBankId || !hub.decoupledIban) {
    console.log('HUB_DECOUPLED_BANK_ID is not set: skipping a scenario that needs a decoupled bank');
    return 'skipped';
  }
});
