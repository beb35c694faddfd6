#!/usr/bin/env node
process.stdout.write('comap\n');
