#!/usr/bin/env node
'use strict';
/** `npm run worker`: the external-task workers and the mail sender alone, against API_URL (scale-out). */
const { join } = require('node:path');
const { buildIfStale, root } = require('./build-if-stale');

buildIfStale();
require(join(root, 'apps/worker/dist/apps/worker/src/main.js')).run();
