import type { ResultPageModel } from './page-models.ts';
import { fmtFor, type Fmt } from './i18n.ts';
import { renderDocument, Ltr, MerchantLayout, Money, Row, When } from './layout.tsx';

export function ResultPage({ m }: { m: ResultPageModel }) {
  const { chrome } = m;
  const fmt = fmtFor(chrome.lang, chrome.digits);
  const t = fmt.t;
  const ok = m.outcome === 'success';
  const heading = ok ? t.paymentSuccessful : t.paymentFailed;
  return (
    <MerchantLayout fmt={fmt} chrome={chrome} line={`${heading} – ${chrome.title}`}>
      <section class={ok ? 'card result ok' : 'card result bad'}>
        <h1>{heading}</h1>
        {ok ? (
          <>
            <p class="lead">{t.successLead}</p>
            <p class="due">
              <Money fmt={fmt} amount={m.receipt.amount} big />
            </p>
          </>
        ) : (
          <>
            <p class="lead">{t.failure[m.reason ?? 'unspecified_failure']}</p>
            {m.retryHref === null ? (
              <p>{t.noRetry}</p>
            ) : (
              <p>
                <a class="button primary" href={m.retryHref}>
                  {t.tryAgain}
                </a>
              </p>
            )}
          </>
        )}
      </section>
      <section class="card" aria-labelledby="receipt-title">
        <h2 id="receipt-title">{ok ? t.receipt : t.attempt}</h2>
        <Receipt fmt={fmt} r={m.receipt} />
        {ok && <p class="hint">{t.printHint}</p>}
      </section>
    </MerchantLayout>
  );
}

function Receipt({ fmt, r }: { fmt: Fmt; r: ResultPageModel['receipt'] }) {
  const t = fmt.t;
  return (
    <dl class="details">
      <Row label={t.amount}>
        <Money fmt={fmt} amount={r.amount} />
      </Row>
      <Row label={t.method}>{fmt.method(r.method)}</Row>
      {r.cardType !== '' && (
        <Row label={t.cardType}>
          <bdi>{r.cardType}</bdi>
        </Row>
      )}
      {r.maskedCard !== null && (
        <Row label={t.maskedCard}>
          <Ltr>{r.maskedCard}</Ltr>
        </Row>
      )}
      <Row label={t.dateTime}>
        <When fmt={fmt} value={r.datetime} time />
      </Row>
      {r.reference !== null && (
        <Row label={t.reference}>
          <bdi>{r.reference}</bdi>
        </Row>
      )}
      {r.customerName !== null && r.customerName !== '' && (
        <Row label={t.customer}>
          <bdi>{r.customerName}</bdi>
        </Row>
      )}
      <Row label={t.paymentToken}>
        <Ltr>{r.paymentToken}</Ltr>
      </Row>
      <Row label={t.paymentId}>
        <Ltr>{r.paymentId}</Ltr>
      </Row>
      <Row label={t.trackId}>
        <Ltr>{r.trackId}</Ltr>
      </Row>
    </dl>
  );
}

export function renderResultPage(m: ResultPageModel): string {
  return renderDocument(<ResultPage m={m} />);
}
