/**
 * The hosted customer pages: each function renders a whole document (`<!doctype html>…`) from a
 * model the page routes built. No file is read and nothing is awaited per render; the stylesheet
 * is read once, at import.
 */
export { renderCheckoutPage } from './checkout-page.tsx';
export { renderErrorPage } from './error-page.tsx';
export { renderInvoicePage } from './invoice-page.tsx';
export { renderPaymentForm } from './payment-form-page.tsx';
export { renderResultPage } from './result-page.tsx';
export { STYLESHEET } from './stylesheet.ts';
export type * from './page-models.ts';
