#!/usr/bin/env node
'use strict';
/** `npm start`: build whatever is stale, then run the whole platform in this process. */
const { join } = require('node:path');
const { buildIfStale, root } = require('./build-if-stale');

buildIfStale();
require(join(root, 'apps/api/dist/apps/api/src/main.js'));
