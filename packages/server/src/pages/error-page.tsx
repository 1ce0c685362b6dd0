import type { ErrorPageModel } from './page-models.ts';
import { fmtFor, MESSAGES, otherLang } from './i18n.ts';
import { renderDocument, Layout } from './layout.tsx';

/**
 * A refusal with no form to go back to. It has no merchant and no other-language link in its
 * model, so it carries its message in both languages: the page's own first, the other below it.
 */
export function ErrorPage({ m }: { m: ErrorPageModel }) {
  const fmt = fmtFor(m.lang, m.digits);
  const own = fmt.t.errors[m.kind];
  const otherCode = otherLang(m.lang);
  const other = MESSAGES[otherCode].errors[m.kind];
  return (
    <Layout fmt={fmt} stylesheet={m.stylesheet} title={`${own.heading} – Fawtara`} merchantName={null} otherLanguageHref={null}>
      <section class="card result bad">
        <h1>{own.heading}</h1>
        <p class="lead">{own.text}</p>
        {m.backHref !== null && (
          <p>
            <a class="button primary" href={m.backHref}>
              {own.action}
            </a>
          </p>
        )}
      </section>
      <section class="card alt" lang={otherCode} dir={otherCode === 'ar' ? 'rtl' : 'ltr'}>
        <p class="alt-heading">{other.heading}</p>
        <p>{other.text}</p>
        {m.backHref !== null && (
          <p>
            <a href={m.backHref}>{other.action}</a>
          </p>
        )}
      </section>
    </Layout>
  );
}

export function renderErrorPage(m: ErrorPageModel): string {
  return renderDocument(<ErrorPage m={m} />);
}
