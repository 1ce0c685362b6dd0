import { createServer } from 'node:http';
import { Client, SANDBOX_CREDENTIALS, WebhookVerificationError } from '@fawtara/sdk';

// The signing secrets come from GET /api/v1/webhook-secret (client.webhooks.secrets()).
const client = new Client({ baseUrl: process.env.FAWTARA_BASE_URL ?? 'http://localhost:3000', ...SANDBOX_CREDENTIALS });
const secret = process.env.FAWTARA_WEBHOOK_SECRET;

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    // Verify the bytes as received: a parsed and re-serialised body would not match the signature.
    const rawBody = Buffer.concat(chunks);
    try {
      const event = client.webhooks.constructEvent(rawBody, req.headers['fawtara-signature'], secret);
      console.log('event', event.event_id, event.event_type, event.invoice_id ?? event.open_invoice_id);
      res.writeHead(200).end(); // a 2xx: delivered; anything else is retried
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      console.log('rejected', e.reason); // bad_signature, stale_timestamp (> 5 min), …
      res.writeHead(400).end(e.reason);
    }
  });
}).listen(Number(process.env.PORT ?? 4000), '127.0.0.1', () => console.log('listening'));
