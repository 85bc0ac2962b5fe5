'use strict';

// apickli's own step library ("I set x header to y", "response code should be n", "response body path ... should
// be ...", ...), registered with this project's @cucumber/cucumber.
require('apickli/apickli-gherkin');
