import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './server.js';

// Certificates for TLS tests, made with the openssl CLI in a temporary directory: a CA, a server
// certificate for 127.0.0.1 and a client certificate it signed, and a second CA with a client
// certificate of its own (one a server trusting the first CA refuses).

const run = promisify(execFile);

export interface TestCertificates {
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** Signed by another CA: a server trusting `caPem` refuses it. */
  strangerCertPem: string;
  strangerKeyPem: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = tempDir('hookd-certs-');
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const authority = (name: string) =>
    openssl('req', '-x509', ...EC_KEY, '-keyout', at(`${name}.key`), '-out', at(`${name}.crt`), '-days', '2', '-subj', `/CN=${name}`);
  const signed = async (name: string, by: string, extensions: string) => {
    writeFileSync(at(`${name}.ext`), extensions);
    await openssl('req', ...EC_KEY, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${name}`);
    await openssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at(`${by}.crt`), '-CAkey', at(`${by}.key`), '-CAcreateserial', '-out', at(`${name}.crt`), '-days', '2', '-extfile', at(`${name}.ext`));
  };
  try {
    await Promise.all([authority('test-ca'), authority('stranger-ca')]);
    await signed('server', 'test-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    await signed('client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
    await signed('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
    const read = (name: string) => readFileSync(at(name), 'utf8');
    return {
      caPem: read('test-ca.crt'),
      serverCertPem: read('server.crt'),
      serverKeyPem: read('server.key'),
      clientCertPem: read('client.crt'),
      clientKeyPem: read('client.key'),
      strangerCertPem: read('stranger.crt'),
      strangerKeyPem: read('stranger.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
