// HTTPS=true with no certificate files serves HTTPS with a self-signed certificate, so a
// camera on another machine can be used (browsers need a secure origin for getUserMedia).

import { request } from 'node:https';
import { startApp } from '../helpers/app';

test('HTTPS=true serves the index page over TLS with a self-signed certificate', async () => {
  const running = await startApp({ HTTPS: 'true' });
  try {
    const httpsUrl = running.url;
    const { status, body, issuer } = await new Promise<{ status: number; body: string; issuer: string }>((resolve, reject) => {
      const req = request(`${httpsUrl}/`, { rejectUnauthorized: false }, (res) => {
        const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, issuer: String(cert.issuer?.CN) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(body).toContain('<demo-index>');
    expect(issuer).toContain('self-signed');
  } finally {
    await running.close();
  }
});
