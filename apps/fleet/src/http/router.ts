// The server's routes: method + path pattern (`:id` segments) → handler, and the dispatch that
// answers 405 for a known path with another method.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest } from './errors.js';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}
export type Handler = (ctx: Ctx) => Promise<void>;
interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

export class Router {
  readonly #routes: Route[] = [];

  route(method: Route['method'], path: string, handler: Handler): void {
    const pattern = new RegExp(`^${path.replace(/:[a-z]+/g, '([^/]+)')}$`);
    this.#routes.push({ method, pattern, handler });
  }

  /** Runs the matching route: true when one ran; throws 405 for a known path with another method. */
  async dispatch(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<boolean> {
    let pathMatched = false;
    for (const r of this.#routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(r.method === 'GET' && method === 'HEAD')) continue;
      let params: string[];
      try {
        params = m.slice(1).map((p) => decodeURIComponent(p));
      } catch {
        throw badRequest('id', 'malformed percent-encoding');
      }
      await r.handler({ req, res, url, params });
      return true;
    }
    if (pathMatched) throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`);
    return false;
  }
}
