// HTTPS: with no certificate files, a self-signed certificate made at start-up (so a camera on
// another machine can be used: browsers need a secure origin for getUserMedia); with
// TLS_CERT/TLS_KEY, the operator's own certificate.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { startApp } from '../helpers/app';

/** GETs `url` over TLS without checking the chain; the page and the certificate it came with. */
function fetchTls(url: string): Promise<{ status: number; body: string; subject: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, subject: String(cert.subject?.CN), issuer: String(cert.issuer?.CN) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS=true serves the index page over TLS with a self-signed certificate', async () => {
  const running = await startApp({ HTTPS: 'true' });
  try {
    const { status, body, issuer } = await fetchTls(`${running.url}/`);
    expect(status).toBe(200);
    expect(body).toContain('<demo-index>');
    expect(issuer).toContain('self-signed');
  } finally {
    await running.close();
  }
});

test('TLS_CERT and TLS_KEY serve the operator’s own certificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stage-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=stage.example.test',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const running = await startApp({ HTTPS: 'true', TLS_CERT: cert, TLS_KEY: key });
  try {
    const { status, subject } = await fetchTls(`${running.url}/`);
    expect(status).toBe(200);
    expect(subject).toBe('stage.example.test');
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
