/** The account and host of the CLI commands: DC_USERNAME, DC_PASSWORD, DC_HOST (a host name or a URL). */
import { ConfigError } from '@x/http-core/cli';
import { DeviceCloudClient, DEFAULT_BASE_URL } from '../client.js';

export const ENVIRONMENT = {
  DC_USERNAME: 'account user name',
  DC_PASSWORD: 'account password',
  DC_HOST: 'API host (default remotemanager.digi.com) or a URL such as the simulator\'s http://127.0.0.1:PORT',
} as const;

function baseUrlFrom(host: string | undefined): string {
  if (host === undefined || host === '') return DEFAULT_BASE_URL;
  return /^https?:\/\//.test(host) ? host : `https://${host}`;
}

/** A client for explicit credentials and host (a host name or a URL). */
export function clientFor(account: { username: string; password: string; host?: string | undefined; ca?: string | undefined }): DeviceCloudClient {
  const { username, password, host, ca } = account;
  return new DeviceCloudClient({ username, password, baseUrl: baseUrlFrom(host), ...(ca !== undefined ? { ca } : {}) });
}

/** A client from the environment; missing credentials are a configuration error (exit 78). */
export function clientFromEnv(env: Readonly<Record<string, string | undefined>>, ca?: string): DeviceCloudClient {
  const username = env.DC_USERNAME;
  const password = env.DC_PASSWORD;
  if (!username || password === undefined) throw new ConfigError('set DC_USERNAME and DC_PASSWORD');
  return new DeviceCloudClient({ username, password, baseUrl: baseUrlFrom(env.DC_HOST), ...(ca !== undefined ? { ca } : {}) });
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
