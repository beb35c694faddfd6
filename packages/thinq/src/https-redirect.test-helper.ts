/** Test helper: where an HTTPS page redirects (the simulator's login page), trusting `ca`. */
import { get } from 'node:https';

export function redirectOver(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      res.resume();
      resolve(res.headers.location ?? '');
    }).on('error', reject);
  });
}
