import type { InvoicePageModel, ItemLine } from './page-models.ts';
import { fmtFor, type Fmt } from './i18n.ts';
import { ErrorSummary, renderDocument, Hidden, Ltr, MerchantLayout, MethodChoice, Money, Notice, QrFigure, Row, When, wordProblems } from './layout.tsx';

export function InvoicePage({ m }: { m: InvoicePageModel }) {
  const { chrome, invoice } = m;
  const fmt = fmtFor(chrome.lang, chrome.digits);
  const t = fmt.t;
  const first = m.methods[0];
  const problems = wordProblems(fmt, m.errors, first === undefined ? [] : [['method', `method-${first.code}`]]);
  return (
    <MerchantLayout fmt={fmt} chrome={chrome} hasErrors={problems.entries.length > 0}>
      <ErrorSummary fmt={fmt} problems={problems} />
      <section class="card">
        <h1>
          {invoice.reference !== null ? (
            <bdi>{chrome.title}</bdi>
          ) : (
            // Without a reference of the merchant's, the heading names the document, not a
            // 26-digit token (which the details list below still shows).
            t.invoiceHeading
          )}
        </h1>
        <p class="due">
          <Money fmt={fmt} amount={invoice.amount} big />
        </p>
        {invoice.description !== null && <p class="desc">{invoice.description}</p>}
        <dl class="details">
          <Row label={t.statusLabel}>
            <span class={`badge ${invoice.status}`}>{t.status[invoice.status]}</span>
          </Row>
          <Row label={t.reference}>{invoice.reference === null ? <Ltr>{invoice.token}</Ltr> : <bdi>{invoice.reference}</bdi>}</Row>
          <Row label={t.customer}>
            <bdi>{invoice.customerName}</bdi>
          </Row>
          {invoice.installment !== null && (
            <Row label={t.installment}>{t.ofCount(fmt.num(String(invoice.installment.number)), fmt.num(String(invoice.installment.count)))}</Row>
          )}
          <Row label={t.expiryDate}>
            <When fmt={fmt} value={invoice.expiresOn} />
          </Row>
          {invoice.paidAt !== null && (
            <Row label={t.paidOn}>
              <When fmt={fmt} value={invoice.paidAt} time />
            </Row>
          )}
        </dl>
        {invoice.items.length > 0 && <Items fmt={fmt} items={invoice.items} />}
      </section>
      {m.methods.length > 0 ? (
        <form class="card" method="post" action={m.methodAction} novalidate>
          <Hidden name="csrf" value={m.csrfToken} />
          <Hidden name="lang" value={chrome.lang} />
          <MethodChoice fmt={fmt} methods={m.methods} checked="" error={problems.of('method')} />
          <button type="submit" class="primary">
            {t.pay(fmt.money(invoice.amount))}
          </button>
        </form>
      ) : (
        <StateNotice fmt={fmt} status={invoice.status} receiptHref={m.receiptHref} />
      )}
      {m.methods.length > 0 && <QrFigure fmt={fmt} href={m.qrSvgHref} />}
    </MerchantLayout>
  );
}

function StateNotice({ fmt, status, receiptHref }: { fmt: Fmt; status: InvoicePageModel['invoice']['status']; receiptHref: string | null }) {
  const t = fmt.t;
  if (status === 'paid') {
    return (
      <Notice tone="ok">
        <p>{t.invoicePaid}</p>
        {receiptHref !== null && (
          <p>
            <a href={receiptHref}>{t.viewReceipt}</a>
          </p>
        )}
      </Notice>
    );
  }
  const text = status === 'cancelled' ? t.invoiceCancelled : status === 'expired' ? t.invoiceExpired : t.unavailable;
  return (
    <Notice tone={status === 'pending' ? 'info' : 'bad'}>
      <p>{text}</p>
    </Notice>
  );
}

function Items({ fmt, items }: { fmt: Fmt; items: readonly ItemLine[] }) {
  const t = fmt.t;
  return (
    <table class="items">
      <caption>{t.items}</caption>
      <thead>
        <tr>
          <th scope="col">{t.item}</th>
          <th scope="col" class="num">
            {t.rate}
          </th>
          <th scope="col" class="num">
            {t.quantity}
          </th>
          <th scope="col" class="num">
            {t.lineAmount}
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr>
            <th scope="row">
              <bdi>{item.title}</bdi>
            </th>
            <td class="num">{fmt.amount(item.rate)}</td>
            <td class="num">{fmt.num(String(item.quantity))}</td>
            <td class="num">{fmt.amount(item.amount)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function renderInvoicePage(m: InvoicePageModel): string {
  return renderDocument(<InvoicePage m={m} />);
}
