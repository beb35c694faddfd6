import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

const crypto = webcrypto;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * Loads @peculiar/x509 on first use. It needs a Reflect metadata polyfill (through tsyringe), which is
 * installed first; loading lazily keeps that global side effect away from users who never use push.
 */
export async function loadX509(): Promise<typeof X509> {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

/** An RSA key pair for MQTT mutual TLS, with the private key as PKCS#8 PEM for Node's TLS. */
export interface ClientKeyPair {
  keys: CryptoKeyPair;
  privateKeyPem: string;
}

/** Wraps DER bytes into a PEM block. */
export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The Base64 body of a PEM block without header, footer and line breaks (the form the Connect API wants). */
export function pemBody(pem: string): string {
  return pem
    .replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '')
    .replace(/\s+/g, '');
}

/** Generates an RSA-2048 key pair (RSASSA-PKCS1-v1_5; `hash` names the CSR signature hash). */
export async function generateClientKeyPair(hash: 'SHA-256' | 'SHA-512' = 'SHA-512'): Promise<ClientKeyPair> {
  const keys = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash },
    true,
    ['sign', 'verify'],
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, privateKeyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

/** A PKCS#10 certificate signing request as PEM, signed with the key pair's hash (`CN=lg_thinq` by default). */
export async function createCsr(pair: ClientKeyPair, subject = 'CN=lg_thinq'): Promise<string> {
  const algorithm = pair.keys.privateKey.algorithm as webcrypto.RsaHashedKeyAlgorithm;
  const { Pkcs10CertificateRequestGenerator } = await loadX509();
  const csr = await Pkcs10CertificateRequestGenerator.create(
    { name: subject, keys: pair.keys, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: algorithm.hash } as webcrypto.Algorithm },
    crypto,
  );
  return csr.toString('pem');
}
