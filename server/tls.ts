// HTTPS material: the operator's certificate, or a self-signed one made at start-up so a
// camera on another machine works (browsers allow getUserMedia only on secure origins).

import { readFileSync } from 'node:fs';
import selfsigned from 'selfsigned';

export function readCertificate(certPath: string, keyPath: string): { cert: string; key: string } {
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

export async function selfSignedCertificate(host: string): Promise<{ cert: string; key: string }> {
  const dns = (value: string) => ({ type: 2 as const, value });
  const ip = (value: string) => ({ type: 7 as const, ip: value });
  const altNames = [dns('localhost'), ip('127.0.0.1')];
  if (host !== '127.0.0.1' && host !== '0.0.0.0') altNames.push(/^[\d.]+$/.test(host) ? ip(host) : dns(host));
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'Kurento Stage (self-signed)' }], {
    notAfterDate: new Date(Date.now() + 30 * 24 * 3600 * 1000),
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames }],
  });
  return { cert: pems.cert, key: pems.private };
}
