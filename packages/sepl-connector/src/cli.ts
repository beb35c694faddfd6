#!/usr/bin/env node
process.stdout.write('sepl-connector\n');
