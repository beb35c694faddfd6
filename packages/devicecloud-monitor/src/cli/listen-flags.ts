/**
 * The flags of `listen` / `push-client`: those of python-devicecloud's seed `push_client.py`
 * (positional `username password`, `-t/--topics` DeviceCore, `-a/--host`, `--insecure`,
 * `-c/--compression` gzip, `-f/--format` json, `-b/--batchsize` 1, `-d/--batchduration` 60) plus
 * attaching to an existing monitor (`--monitor`, `--ack`), the push port and a CA file.
 */
export const LISTEN_ARGS = [
  { name: 'username', description: 'account user name (else DC_USERNAME)', required: false },
  { name: 'password', description: 'account password (else DC_PASSWORD)', required: false },
] as const;

export const LISTEN_FLAGS = {
  topics: { type: 'list', short: 't', description: 'topics of the monitor to create', default: ['DeviceCore'] as string[] },
  host: { type: 'string', short: 'a', env: 'DC_HOST', description: 'API host (default remotemanager.digi.com) or a URL', valueName: 'host' },
  insecure: { type: 'boolean', description: 'plain TCP push (port 3200) instead of TLS' },
  compression: { type: 'string', short: 'c', description: 'payload compression', choices: ['none', 'gzip', 'zlib'], default: 'gzip' },
  format: { type: 'string', short: 'f', description: 'payload format', choices: ['json', 'xml'], default: 'json' },
  batchsize: { type: 'integer', short: 'b', description: 'events per batch', min: 1, default: 1 },
  batchduration: { type: 'integer', short: 'd', description: 'seconds to wait before sending a batch smaller than --batchsize', min: 0, default: 60 },
  monitor: { type: 'integer', short: 'm', description: 'attach to this existing TCP monitor (not created, not deleted)', min: 0, valueName: 'id' },
  ack: { type: 'string', description: "acknowledgements: the monitor's ackOption (default: the attached monitor's, else off)", choices: ['off', 'explicit'] },
  'push-port': { type: 'integer', description: 'push port (default 3201, or 3200 with --insecure)', min: 1, max: 65535 },
  ca: { type: 'string', description: 'PEM file of a CA to trust (private or test CAs, e.g. the caPath of `simulate`)', valueName: 'file' },
} as const;
