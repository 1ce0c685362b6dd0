import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { FieldProblem, FieldProblems } from '../modules/payments/payment-connector.ts';
import type { MethodOption, PageChrome } from './page-models.ts';
import { otherLang, MESSAGES, type Fmt } from './i18n.ts';

/**
 * The document frame and the parts several pages share. Everything here renders text through
 * preact, which escapes it; there is no raw HTML anywhere in these templates, no inline style and
 * no script (the pages' CSP allows neither).
 */

export function renderDocument(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

interface LayoutProps {
  fmt: Fmt;
  stylesheet: string;
  /** The whole `<title>`. */
  title: string;
  /** Shown in the header; null on pages that do not know the merchant (error pages). */
  merchantName: string | null;
  /** The same page in the other language; null when there is none. */
  otherLanguageHref: string | null;
  children: ComponentChildren;
}

export function Layout({ fmt, stylesheet, title, merchantName, otherLanguageHref, children }: LayoutProps) {
  const other = otherLang(fmt.lang);
  return (
    <html lang={fmt.lang} dir={fmt.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{title}</title>
        <link rel="stylesheet" href={stylesheet} />
      </head>
      <body>
        <header class="top">
          <p class="merchant">
            <bdi>{merchantName ?? 'Fawtara'}</bdi>
          </p>
          {otherLanguageHref !== null && (
            <a class="lang" href={otherLanguageHref} lang={other} hreflang={other}>
              {MESSAGES[other].languageName}
            </a>
          )}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** `<title>`: the page's line, the merchant, and "Error: " first when a form was refused. */
function pageTitle(fmt: Fmt, line: string, merchantName: string, hasErrors: boolean): string {
  return `${hasErrors ? fmt.t.errorPrefix : ''}${line} – ${merchantName}`;
}

/** The Layout of a page that knows its merchant, from the page's chrome. `line` defaults to its title. */
export function MerchantLayout(p: { fmt: Fmt; chrome: PageChrome; line?: string; hasErrors?: boolean; children: ComponentChildren }) {
  const { chrome } = p;
  return (
    <Layout
      fmt={p.fmt}
      stylesheet={chrome.stylesheet}
      title={pageTitle(p.fmt, p.line ?? chrome.title, chrome.merchantName, p.hasErrors ?? false)}
      merchantName={chrome.merchantName}
      otherLanguageHref={chrome.otherLanguageHref}
    >
      {p.children}
    </Layout>
  );
}

/** One term of a description list; `<div>` groups are valid inside `<dl>` and ease styling. */
export function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A machine identifier (token, id, masked card): Latin digits, always read left to right. */
export function Ltr({ children }: { children: string }) {
  return (
    <bdi dir="ltr" class="id">
      {children}
    </bdi>
  );
}

export function Money({ fmt, amount, big = false }: { fmt: Fmt; amount: string; big?: boolean }) {
  return <span class={big ? 'money big' : 'money'}>{fmt.money(amount)}</span>;
}

/** A date or timestamp: worded for the page, machine-readable (Latin) in `datetime`. */
export function When({ fmt, value, time = false }: { fmt: Fmt; value: string; time?: boolean }) {
  return <time datetime={value}>{time ? fmt.dateTime(value) : fmt.date(value)}</time>;
}

export function Notice({ tone, children }: { tone: 'ok' | 'info' | 'bad'; children: ComponentChildren }) {
  return <div class={`notice ${tone}`}>{children}</div>;
}

export function QrFigure({ fmt, href }: { fmt: Fmt; href: string }) {
  return (
    <figure class="qr">
      <img src={href} alt={fmt.t.qrAlt} width={120} height={120} />
      <figcaption>{fmt.t.qrCaption}</figcaption>
    </figure>
  );
}

export function Hidden({ name, value }: { name: string; value: string }) {
  return <input type="hidden" name={name} value={value} />;
}

/** The worded problems of a form, in the order its fields appear. */
export interface Problems {
  /** The message of one field, or null. */
  of: (field: string) => string | null;
  /** Summary lines: the text, and the id of the control it links to (null when it has none). */
  entries: { text: string; target: string | null }[];
}

/**
 * Words `errors` for a page. `targets` maps the page's fields, in order, to the id of the control
 * a summary link focuses; problems of fields the page does not show are still listed, unlinked.
 */
export function wordProblems(
  fmt: Fmt,
  errors: FieldProblems,
  targets: readonly (readonly [field: string, id: string])[],
  limit?: (field: string, problem: FieldProblem) => string | undefined,
): Problems {
  const texts = new Map<string, string>();
  const entries: Problems['entries'] = [];
  const word = (field: string, problem: FieldProblem) => fmt.t.problem(field, problem, limit?.(field, problem));
  for (const [field, id] of targets) {
    const problem = errors[field];
    if (problem === undefined) continue;
    const text = word(field, problem);
    texts.set(field, text);
    entries.push({ text, target: id });
  }
  for (const [field, problem] of Object.entries(errors)) {
    if (texts.has(field)) continue;
    entries.push({ text: word(field, problem), target: null });
  }
  return { of: (field) => texts.get(field) ?? null, entries };
}

/** Listed at the top of `<main>` when a form was refused; each line links to its field. */
export function ErrorSummary({ fmt, problems }: { fmt: Fmt; problems: Problems }) {
  if (problems.entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{fmt.t.errorSummary}</h2>
      <ul>
        {problems.entries.map((e) => (
          <li>{e.target === null ? e.text : <a href={`#${e.target}`}>{e.text}</a>}</li>
        ))}
      </ul>
    </div>
  );
}

function describedBy(...ids: (string | null)[]): string | undefined {
  const present = ids.filter((id) => id !== null);
  return present.length > 0 ? present.join(' ') : undefined;
}

function FieldError({ id, text }: { id: string; text: string | null }) {
  return text === null ? null : (
    <p id={id} class="field-error">
      {text}
    </p>
  );
}

interface TextFieldProps {
  name: string;
  label: string;
  error: string | null;
  hint?: string;
  type?: 'text' | 'tel' | 'email' | 'password';
  inputmode?: 'text' | 'numeric' | 'decimal' | 'tel' | 'email';
  autocomplete: string;
  /** Omitted for secrets (card number, PIN, CVV): those are never echoed. */
  value?: string;
  required?: boolean;
  /** Numbers, card data, phone and email read left to right on Arabic pages too. */
  ltr?: boolean;
}

/** A labelled input, with its hint and its problem linked through `aria-describedby`. */
export function TextField(p: TextFieldProps) {
  const hintId = p.hint === undefined ? null : `${p.name}-hint`;
  const errorId = p.error === null ? null : `${p.name}-error`;
  const common = {
    id: p.name,
    name: p.name,
    inputmode: p.inputmode,
    autocomplete: p.autocomplete,
    value: p.value,
    required: p.required,
    dir: p.ltr ? ('ltr' as const) : undefined,
    spellcheck: false,
    'aria-invalid': errorId === null ? undefined : ('true' as const),
    'aria-describedby': describedBy(hintId, errorId),
  };
  return (
    <div class={p.error === null ? 'field' : 'field invalid'}>
      <label for={p.name}>{p.label}</label>
      {hintId !== null && (
        <p id={hintId} class="hint">
          {p.hint}
        </p>
      )}
      <FieldError id={`${p.name}-error`} text={p.error} />
      {p.type === 'password' ? (
        // A secret: never a value, whatever the caller passed.
        <input type="password" {...common} value={undefined} />
      ) : p.type === 'email' ? (
        <input type="email" {...common} />
      ) : p.type === 'tel' ? (
        <input type="tel" {...common} />
      ) : (
        <input type="text" {...common} />
      )}
    </div>
  );
}

export interface SelectOption {
  value: string;
  text: string;
}

interface SelectFieldProps {
  name: string;
  label: string;
  error: string | null;
  /** The empty first option, shown until the customer chooses. */
  placeholder: string;
  options: readonly SelectOption[];
  value: string | undefined;
  autocomplete: string;
}

export function SelectField(p: SelectFieldProps) {
  const errorId = p.error === null ? null : `${p.name}-error`;
  return (
    <div class={p.error === null ? 'field' : 'field invalid'}>
      <label for={p.name}>{p.label}</label>
      <FieldError id={`${p.name}-error`} text={p.error} />
      <select
        id={p.name}
        name={p.name}
        autocomplete={p.autocomplete}
        required
        aria-invalid={errorId === null ? undefined : 'true'}
        aria-describedby={describedBy(errorId)}
      >
        <option value="">{p.placeholder}</option>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value}>
            {o.text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The method radios of the invoice and checkout forms; `checked` falls back to the first. */
export function MethodChoice(p: { fmt: Fmt; methods: readonly MethodOption[]; checked: string; error: string | null }) {
  const codes = p.methods.map((m) => String(m.code));
  const checked = codes.includes(p.checked) ? p.checked : codes[0];
  const invalid = p.error === null ? undefined : 'true';
  const errorId = p.error === null ? undefined : 'method-error';
  return (
    <fieldset class={p.error === null ? 'methods' : 'methods invalid'}>
      <legend>{p.fmt.t.chooseMethod}</legend>
      <FieldError id="method-error" text={p.error} />
      {p.methods.map((m) => {
        const code = String(m.code);
        const id = `method-${code}`;
        return (
          <div class="choice">
            <input type="radio" id={id} name="method" value={code} checked={code === checked} required aria-invalid={invalid} aria-describedby={errorId} />
            <label for={id}>{p.fmt.method(m.code)}</label>
          </div>
        );
      })}
    </fieldset>
  );
}
