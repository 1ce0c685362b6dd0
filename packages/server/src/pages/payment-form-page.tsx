import type { PaymentFormModel } from './page-models.ts';
import { BANKS, fmtFor, type Fmt } from './i18n.ts';
import {
  ErrorSummary,
  renderDocument,
  Hidden,
  MerchantLayout,
  Money,
  Row,
  SelectField,
  TextField,
  wordProblems,
  type Problems,
  type SelectOption,
} from './layout.tsx';

/** Values posted by the expiry selects: "01".."12" and two-digit years "20".."45". */
const MONTH_VALUES = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));
const YEAR_VALUES = Array.from({ length: 26 }, (_, i) => String(20 + i));

const FIELD_ORDER = {
  knet: ['bank', 'cardNumber', 'expiryMonth', 'expiryYear', 'pin'],
  card: ['cardNumber', 'expiryMonth', 'expiryYear', 'cvv', 'nameOnCard'],
  wallet: [],
} as const;

function options(fmt: Fmt, values: readonly string[]): SelectOption[] {
  return values.map((value) => ({ value, text: fmt.num(value) }));
}

/** Option lists per page language and digit style, built once. */
const optionCache = new Map<Fmt, { months: SelectOption[]; years: SelectOption[]; banks: SelectOption[] }>();
function optionsFor(fmt: Fmt) {
  let cached = optionCache.get(fmt);
  if (cached === undefined) {
    cached = {
      months: options(fmt, MONTH_VALUES),
      years: options(fmt, YEAR_VALUES),
      banks: BANKS.map((b) => ({ value: b.code, text: b[fmt.lang] })),
    };
    optionCache.set(fmt, cached);
  }
  return cached;
}

export function PaymentFormPage({ m }: { m: PaymentFormModel }) {
  const { chrome, method } = m;
  const fmt = fmtFor(chrome.lang, chrome.digits);
  const t = fmt.t;
  const flow = method.flow;
  const problems = wordProblems(
    fmt,
    m.errors,
    FIELD_ORDER[flow].map((f) => [f, f] as const),
  );
  const name = fmt.method(method.code);
  return (
    <MerchantLayout fmt={fmt} chrome={chrome} hasErrors={problems.entries.length > 0}>
      <ErrorSummary fmt={fmt} problems={problems} />
      <section class="card">
        <h1>{flow === 'wallet' ? t.headingWallet : t.headingCard}</h1>
        <dl class="details">
          <Row label={t.paymentFor}>
            <bdi>{chrome.title}</bdi>
          </Row>
          <Row label={t.amount}>
            <Money fmt={fmt} amount={m.amount} />
          </Row>
          <Row label={t.method}>{name}</Row>
        </dl>
      </section>
      <form class="card" method="post" action={m.payAction} novalidate>
        <Hidden name="csrf" value={m.csrfToken} />
        {Object.entries(m.hidden).map(([key, value]) => (
          <Hidden name={key} value={value} />
        ))}
        {flow === 'wallet' ? (
          <>
            <p class="note">{t.walletNote(name)}</p>
            <button type="submit" class="primary wallet">
              {t.payWith(name)}
            </button>
          </>
        ) : (
          <>
            {flow === 'knet' && (
              <SelectField
                name="bank"
                label={t.bank}
                placeholder={t.selectBank}
                options={optionsFor(fmt).banks}
                value={m.values.bank}
                error={problems.of('bank')}
                autocomplete="off"
              />
            )}
            {/* Never a `value` on card number, PIN or CVV, whatever `values` holds. */}
            <TextField name="cardNumber" label={t.cardNumber} error={problems.of('cardNumber')} inputmode="numeric" autocomplete="cc-number" required ltr />
            <Expiry fmt={fmt} m={m} problems={problems} />
            {flow === 'knet' ? (
              <TextField name="pin" label={t.pin} error={problems.of('pin')} type="password" inputmode="numeric" autocomplete="off" required ltr />
            ) : (
              <>
                <TextField name="cvv" label={t.cvv} error={problems.of('cvv')} type="password" inputmode="numeric" autocomplete="cc-csc" required ltr />
                <TextField
                  name="nameOnCard"
                  label={t.nameOnCard}
                  error={problems.of('nameOnCard')}
                  autocomplete="cc-name"
                  value={m.values.nameOnCard}
                  required
                />
              </>
            )}
            <button type="submit" class="primary">
              {t.pay(fmt.money(m.amount))}
            </button>
          </>
        )}
      </form>
      <p class="back">
        <a href={m.backHref}>{t.changeMethod}</a>
      </p>
    </MerchantLayout>
  );
}

function Expiry({ fmt, m, problems }: { fmt: Fmt; m: PaymentFormModel; problems: Problems }) {
  const t = fmt.t;
  const opts = optionsFor(fmt);
  return (
    <fieldset class="expiry">
      <legend>{t.expiry}</legend>
      <div class="pair">
        <SelectField
          name="expiryMonth"
          label={t.month}
          placeholder={t.month}
          options={opts.months}
          value={m.values.expiryMonth}
          error={problems.of('expiryMonth')}
          autocomplete="cc-exp-month"
        />
        <SelectField
          name="expiryYear"
          label={t.year}
          placeholder={t.year}
          options={opts.years}
          value={m.values.expiryYear}
          error={problems.of('expiryYear')}
          autocomplete="cc-exp-year"
        />
      </div>
    </fieldset>
  );
}

export function renderPaymentForm(m: PaymentFormModel): string {
  return renderDocument(<PaymentFormPage m={m} />);
}
