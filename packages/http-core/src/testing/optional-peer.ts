/**
 * The error to throw when a simulator's optional peer dependency is not installed: it names the
 * package and how to install it. Any other failure of the import is returned unchanged.
 * The vendor package does the `import()` itself, so the peer resolves from where it is declared.
 */
export function optionalPeerError(error: unknown, peer: string, range: string, who: string): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const missing =
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(`'${peer}'`);
  if (!missing) return error;
  return new Error(`${who} needs the optional peer dependency '${peer}': run \`npm install ${peer}@${range}\`.`, { cause: error });
}
