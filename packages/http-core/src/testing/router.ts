import type { IncomingMessage, ServerResponse } from 'node:http';
import { type TestHandler, sendJson } from './server.js';

/** The `:name` segments of a matched route path, by name (URL-decoded). */
export type RouteParams = Record<string, string>;
/** Handles a matched route; a throw or rejection becomes a 500. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams, url: URL) => void | Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/**
 * Routes requests by method and path, made by {@link createRouter}. A path starts with `/`; a
 * `:name` segment captures, a `*` segment matches the rest. Each method returns the router.
 */
export interface Router {
  /** Adds a GET route. */
  get(path: string, handler: RouteHandler): Router;
  /** Adds a POST route. */
  post(path: string, handler: RouteHandler): Router;
  /** Adds a PUT route. */
  put(path: string, handler: RouteHandler): Router;
  /** Adds a PATCH route. */
  patch(path: string, handler: RouteHandler): Router;
  /** Adds a DELETE route. */
  delete(path: string, handler: RouteHandler): Router;
  /** Adds a HEAD route. */
  head(path: string, handler: RouteHandler): Router;
  /** Adds an OPTIONS route. */
  options(path: string, handler: RouteHandler): Router;
  /** Any method. */
  all(path: string, handler: RouteHandler): Router;
  /** Adds a route for `method` (throws a TypeError for a path not starting with `/`). */
  add(method: string, path: string, handler: RouteHandler): Router;
  /** Pass to `startTestServer`. Unknown paths → 404, known path with another method → 405 (JSON). */
  readonly handler: TestHandler;
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('path must be a string starting with "/"');
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), names };
}

/** A tiny router: `/units/:id` style parameters (URL-decoded), `*` segments. */
export function createRouter(): Router {
  const routes: Route[] = [];
  const router: Router = {
    add(method, path, handler) {
      if (typeof handler !== 'function') throw new TypeError('handler must be a function');
      routes.push({ method: method.toUpperCase(), ...compile(path), handler });
      return router;
    },
    get: (path, handler) => router.add('GET', path, handler),
    post: (path, handler) => router.add('POST', path, handler),
    put: (path, handler) => router.add('PUT', path, handler),
    patch: (path, handler) => router.add('PATCH', path, handler),
    delete: (path, handler) => router.add('DELETE', path, handler),
    head: (path, handler) => router.add('HEAD', path, handler),
    options: (path, handler) => router.add('OPTIONS', path, handler),
    all: (path, handler) => router.add('*', path, handler),
    handler: (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      let pathMatched = false;
      for (const route of routes) {
        const match = route.pattern.exec(url.pathname);
        if (!match) continue;
        pathMatched = true;
        if (route.method !== '*' && route.method !== req.method) continue;
        const params: RouteParams = {};
        route.names.forEach((name, i) => {
          params[name] = decodeURIComponent(match[i + 1] ?? '');
        });
        return route.handler(req, res, params, url);
      }
      if (pathMatched) sendJson(res, 405, { error: 'method not allowed' });
      else sendJson(res, 404, { error: 'not found', path: url.pathname });
      return undefined;
    },
  };
  return router;
}
