// The container's health check: the app answers GET /readyz on its own port (a media server
// and the store reachable), over HTTPS when HTTPS=true. It asks itself on loopback, so its
// own certificate, self-signed or not, is not checked.
// Usage: node dist/scripts/healthcheck.js   (exit 0 ready, 1 not)

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const https = process.env.HTTPS === 'true' || process.env.HTTPS === '1';
const port = Number(process.env.PORT ?? 8080);
const request = https ? httpsRequest : httpRequest;
const req = request({ host: '127.0.0.1', port, path: '/readyz', timeout: 3000, rejectUnauthorized: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => {
  console.error(`not healthy: ${err.message}`);
  process.exit(1);
});
req.end();
