#!/usr/bin/env node
// The `sepl-connector` command. Its own file, present before the first build, so that installing the
// workspace can link the bin (dist/cli.js only exists after a build).
import '../dist/cli.js';
