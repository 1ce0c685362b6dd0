import { Client, SANDBOX_CREDENTIALS, ValidationError } from '@fawtara/sdk';

// The gateway that `npm start` runs, as its sandbox merchant; FAWTARA_BASE_URL points elsewhere.
const client = new Client({ baseUrl: process.env.FAWTARA_BASE_URL ?? 'http://localhost:3000', ...SANDBOX_CREDENTIALS });

const inDays = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const params = {
  amount: '12.500', // or 12500n fils; a JS number is refused
  customerName: 'Fatima',
  mobileNumber: '66666666',
  countryCode: '965',
  invoiceType: '0',
  invoiceSubType: '3', // URL only: nothing is sent to the customer
  allocatePayType: '1,2', // KNET, card
  expiresAt: inDays(30),
};

const invoice = await client.invoices.create(params);
console.log('created', invoice.id, invoice.url);

const again = await client.invoices.get(invoice.id);
console.log('status', again.status);

for await (const inv of client.invoices.listAll()) console.log('listed', inv.id, inv.status);

try {
  await client.invoices.create({ ...params, amount: '1.2345' });
} catch (e) {
  if (!(e instanceof ValidationError)) throw e;
  console.log('refused', JSON.stringify(e.fields)); // {"amount":["…three decimals…"]}
}
