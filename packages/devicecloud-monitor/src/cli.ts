#!/usr/bin/env node
process.stdout.write('devicecloud-monitor\n');
