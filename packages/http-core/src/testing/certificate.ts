/**
 * A self-signed certificate for localhost, 127.0.0.1 and ::1 (EC P-256, valid until 2126),
 * generated once with openssl for tests and simulators. It is public: never use it for anything
 * but loopback tests.
 */
export interface TestCertificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate. */
  cert: string;
  /** The CA to trust (the certificate itself, as it is self-signed). */
  ca: string;
}

const KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGYqvg7Nm76LrAKwZ\n+ZU5qge2AH3GaJv+NVLbdw1hjwChRANCAAQjQyCX96NV4aA5ptx7KOJKACj1xfBZ\nKO6V3K9snBv7wRM5v59rC/evPfpAtnT6SDClQpiooJYTxcKrm0Fm1yqS\n-----END PRIVATE KEY-----\n";

const CERT = "-----BEGIN CERTIFICATE-----\nMIIB0zCCAXqgAwIBAgIUSuFiQkY9uT1Nu+XKmmJ8D2tByqkwCgYIKoZIzj0EAwIw\nFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMTA1NDkzM1oYDzIxMjYxMDI4\nMDU0OTMzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\nPQMBBwNCAAQjQyCX96NV4aA5ptx7KOJKACj1xfBZKO6V3K9snBv7wRM5v59rC/ev\nPfpAtnT6SDClQpiooJYTxcKrm0Fm1yqSo4GnMIGkMB0GA1UdDgQWBBQomuVoYRlD\nTP4scjsyZpqrnTyLnTAfBgNVHSMEGDAWgBQomuVoYRlDTP4scjsyZpqrnTyLnTAs\nBgNVHREEJTAjgglsb2NhbGhvc3SHBH8AAAGHEAAAAAAAAAAAAAAAAAAAAAEwDwYD\nVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAoQwEwYDVR0lBAwwCgYIKwYBBQUH\nAwEwCgYIKoZIzj0EAwIDRwAwRAIgJTx3irveeCVNsLAt20hLNlxQS3vC3hmZUmBX\nWCUrAG4CIBALMvsOR63VNUTjfmjtyJbQrRFY9912Rlr6EJSjv3Px\n-----END CERTIFICATE-----\n";

/** The shared self-signed test certificate (same value on every call). */
export function testCertificate(): TestCertificate {
  return { key: KEY, cert: CERT, ca: CERT };
}
