import { MOBILE_NUMBER_DIGITS } from '@fawtara/contract';
import type { CheckoutPageModel } from './page-models.ts';
import { fmtFor, type Fmt } from './i18n.ts';
import { ErrorSummary, renderDocument, Hidden, MerchantLayout, MethodChoice, Money, Notice, QrFigure, Row, TextField, When, wordProblems } from './layout.tsx';

/** The "min/max" help under an open amount, or undefined when there is no limit. */
function amountHint(fmt: Fmt, min: string | null, max: string | null): string | undefined {
  if (min !== null && max !== null) return fmt.t.amountBetween(fmt.money(min), fmt.money(max));
  if (min !== null) return fmt.t.amountAtLeast(fmt.money(min));
  if (max !== null) return fmt.t.amountUpTo(fmt.money(max));
  return undefined;
}

export function CheckoutPage({ m }: { m: CheckoutPageModel }) {
  const { chrome, openInvoice: oi, values } = m;
  const fmt = fmtFor(chrome.lang, chrome.digits);
  const t = fmt.t;
  const open = oi.amountType === 'open';
  const fixed = open ? null : oi.fixedAmount;
  const payable = oi.state === 'active' && m.methods.length > 0;
  const problems = wordProblems(
    fmt,
    m.errors,
    [
      ['amount', 'amount'],
      ['customerName', 'customerName'],
      ['customerMobile', 'customerMobile'],
      ['customerEmail', 'customerEmail'],
      ['method', `method-${m.methods[0]?.code ?? ''}`],
    ],
    (field, problem) => {
      if (field !== 'amount') return undefined;
      if (problem === 'below_min' && oi.minAmount !== null) return fmt.money(oi.minAmount);
      if (problem === 'above_max' && oi.maxAmount !== null) return fmt.money(oi.maxAmount);
      return undefined;
    },
  );
  return (
    <MerchantLayout fmt={fmt} chrome={chrome} hasErrors={payable && problems.entries.length > 0}>
      {payable && <ErrorSummary fmt={fmt} problems={problems} />}
      <section class="card">
        <h1>
          <bdi>{oi.title}</bdi>
        </h1>
        {fixed !== null && (
          <p class="due">
            <Money fmt={fmt} amount={fixed} big />
          </p>
        )}
        {oi.description !== null && <p class="desc">{oi.description}</p>}
        {oi.expiryDate !== null && oi.state === 'active' && (
          <dl class="details">
            <Row label={t.expiryDate}>
              <When fmt={fmt} value={oi.expiryDate} />
            </Row>
          </dl>
        )}
      </section>
      {payable ? (
        <form class="card" method="post" action={m.methodAction} novalidate>
          <Hidden name="csrf" value={m.csrfToken} />
          <Hidden name="lang" value={chrome.lang} />
          {open && (
            <TextField
              name="amount"
              label={t.amountField}
              hint={amountHint(fmt, oi.minAmount, oi.maxAmount)}
              error={problems.of('amount')}
              inputmode="decimal"
              autocomplete="off"
              value={values.amount}
              required
              ltr
            />
          )}
          <fieldset>
            <legend>{t.yourDetails}</legend>
            <TextField
              name="customerName"
              label={t.customerName}
              error={problems.of('customerName')}
              autocomplete="name"
              value={values.customerName}
              required
            />
            <TextField
              name="customerMobile"
              label={t.customerMobile}
              hint={t.mobileHint(fmt.num(String(MOBILE_NUMBER_DIGITS)))}
              error={problems.of('customerMobile')}
              type="tel"
              inputmode="numeric"
              autocomplete="tel-national"
              value={values.customerMobile}
              required
              ltr
            />
            <TextField
              name="customerEmail"
              label={t.customerEmail}
              error={problems.of('customerEmail')}
              type="email"
              inputmode="email"
              autocomplete="email"
              value={values.customerEmail}
              ltr
            />
          </fieldset>
          <MethodChoice fmt={fmt} methods={m.methods} checked={values.method} error={problems.of('method')} />
          <button type="submit" class="primary">
            {fixed === null ? t.continueToPayment : t.pay(fmt.money(fixed))}
          </button>
        </form>
      ) : (
        <Notice tone={oi.state === 'active' ? 'info' : 'bad'}>
          <p>{oi.state === 'cancelled' ? t.linkCancelled : oi.state === 'expired' ? t.linkExpired : t.unavailable}</p>
        </Notice>
      )}
      {payable && <QrFigure fmt={fmt} href={m.qrSvgHref} />}
    </MerchantLayout>
  );
}

export function renderCheckoutPage(m: CheckoutPageModel): string {
  return renderDocument(<CheckoutPage m={m} />);
}
