import { randomBytes, webcrypto } from 'node:crypto';
import type { Pkcs10CertificateRequest } from '@peculiar/x509';
import { loadX509, toPem } from '../connect/x509.js';

const crypto = webcrypto;
const ALG = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
const DAY = 86_400_000;

/** A throw-away certificate authority for the simulator: server certificates and client certificates from CSRs. */
export interface TestCa {
  /** The CA certificate (PEM); trust it on both sides. */
  certPem: string;
  /** The TLS server certificate for 127.0.0.1 / localhost / ::1 (made once per CA, then the same one). */
  issueServer(): Promise<{ certPem: string; keyPem: string }>;
  /** Verifies a CSR (PEM or bare Base64 body) and issues a client certificate for its key. */
  issueFromCsr(csr: string, validityInMs?: number): Promise<string>;
}

const serial = (): string => {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
};

/** Thrown when a CSR cannot be parsed or its self-signature does not verify. */
export class InvalidCsrError extends Error {
  override name = 'InvalidCsrError';
}

/** Creates a test CA (RSA-2048, SHA-256). */
export async function createTestCa(name = 'CN=@x/thinq simulator CA'): Promise<TestCa> {
  const {
    BasicConstraintsExtension,
    ExtendedKeyUsage,
    ExtendedKeyUsageExtension,
    KeyUsageFlags,
    KeyUsagesExtension,
    Pkcs10CertificateRequest,
    SubjectAlternativeNameExtension,
    X509CertificateGenerator,
  } = await loadX509();
  const caKeys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const ca = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY),
      keys: caKeys,
      signingAlgorithm: ALG,
      extensions: [new BasicConstraintsExtension(true, 0, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true)],
    },
    crypto,
  );
  const issue = async (subject: string, publicKey: webcrypto.CryptoKey | Pkcs10CertificateRequest['publicKey'], server: boolean, validity: number) =>
    X509CertificateGenerator.create(
      {
        serialNumber: serial(),
        subject,
        issuer: ca.subject,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + validity),
        signingAlgorithm: ALG,
        publicKey,
        signingKey: caKeys.privateKey,
        extensions: [
          new BasicConstraintsExtension(false, undefined, true),
          new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
          new ExtendedKeyUsageExtension([server ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth]),
          ...(server
            ? [
                new SubjectAlternativeNameExtension([
                  { type: 'dns', value: 'localhost' },
                  { type: 'ip', value: '127.0.0.1' },
                  { type: 'ip', value: '::1' },
                ]),
              ]
            : []),
        ],
      },
      crypto,
    );
  // One server certificate per CA, made on first use: every broker of this CA presents it.
  let server: Promise<{ certPem: string; keyPem: string }> | undefined;
  const makeServer = async () => {
    const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const cert = await issue('CN=localhost', keys.publicKey, true, 365 * DAY);
    return { certPem: cert.toString('pem'), keyPem: toPem(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') };
  };
  return {
    certPem: ca.toString('pem'),
    issueServer() {
      server ??= makeServer().catch((err: unknown) => {
        server = undefined;
        throw err;
      });
      return server;
    },
    async issueFromCsr(csrText: string, validityInMs = 365 * DAY) {
      let csr: InstanceType<typeof Pkcs10CertificateRequest>;
      try {
        csr = new Pkcs10CertificateRequest(csrText.includes('-----BEGIN') ? csrText : Buffer.from(csrText, 'base64'));
      } catch (cause) {
        throw new InvalidCsrError('the CSR cannot be parsed', { cause });
      }
      if (!(await csr.verify(crypto))) throw new InvalidCsrError('the CSR signature does not verify');
      const cert = await issue(csr.subject, csr.publicKey, false, validityInMs);
      return cert.toString('pem');
    },
  };
}

let shared: Promise<TestCa> | undefined;

/**
 * The process-wide test CA, made on first use and shared by every simulator of the process: an RSA-2048
 * key pair takes from a fraction of a second to several seconds on a busy machine, so it is made once.
 */
export function sharedTestCa(): Promise<TestCa> {
  shared ??= createTestCa().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}
