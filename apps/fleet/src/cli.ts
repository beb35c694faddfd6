#!/usr/bin/env node
process.stdout.write('fleet\n');
