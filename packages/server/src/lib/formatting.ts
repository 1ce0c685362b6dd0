import { WALLETS } from './wallets.ts';

/**
 * How numbers, money, dates and payment methods read to a customer, in English and Arabic, for
 * every place that shows them: the hosted pages and the invoice messages (SMS, WhatsApp, e-mail).
 * Pure functions of the text, the language and the digit style; which digit style a place uses is
 * that place's decision (pages follow the merchant's choice, messages always use Latin digits).
 */

export type Lang = 'en' | 'ar';

/** Digits on Arabic pages: Latin (0-9) or Arabic-Indic (٠-٩). English pages always use Latin. */
export type DigitStyle = 'latn' | 'arab';

const ARABIC_INDIC = ['٠', '١', '٢', '٣', '٤', '٥', '٦', '٧', '٨', '٩'] as const;
const LATIN_DIGIT = /[0-9]/g;

/** Converts 0-9 to ٠-٩ only for Arabic with Arabic-Indic digits; otherwise unchanged. */
export function toDigits(text: string, lang: Lang, digits: DigitStyle): string {
  if (lang !== 'ar' || digits !== 'arab') return text;
  return text.replace(LATIN_DIGIT, (d) => ARABIC_INDIC[d.charCodeAt(0) - 48] ?? d);
}

/** An amount such as "12.500": digits converted, and the decimal point becomes `٫` with them. */
export function formatAmount(amount: string, lang: Lang, digits: DigitStyle): string {
  if (lang !== 'ar' || digits !== 'arab') return amount;
  return toDigits(amount, lang, digits).replace('.', '٫');
}

/** The currency's short name, after amounts and in column headings. */
export const CURRENCY: Readonly<Record<Lang, string>> = { en: 'KWD', ar: 'د.ك.' };

/** "12.500 KWD" / "12.500 د.ك." / "١٢٫٥٠٠ د.ك." */
export function moneyText(amount: string, lang: Lang, digits: DigitStyle): string {
  return `${formatAmount(amount, lang, digits)} ${CURRENCY[lang]}`;
}

const MONTHS: Record<Lang, readonly string[]> = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  // The Gulf (and Kuwaiti) names of the Gregorian months.
  ar: ['يناير', 'فبراير', 'مارس', 'أبريل', 'مايو', 'يونيو', 'يوليو', 'أغسطس', 'سبتمبر', 'أكتوبر', 'نوفمبر', 'ديسمبر'],
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const TIME = /[ T](\d{2}:\d{2}(?::\d{2})?)/;

/** `YYYY-MM-DD` → "31 January 2025" / "٣١ يناير ٢٠٢٥". Anything else is shown as given. */
export function formatDate(date: string, lang: Lang, digits: DigitStyle): string {
  const match = DATE.exec(date);
  const month = match ? MONTHS[lang][Number(match[2]) - 1] : undefined;
  if (!match || month === undefined) return toDigits(date, lang, digits);
  return toDigits(`${Number(match[3])} ${month} ${match[1]}`, lang, digits);
}

/** `YYYY-MM-DD HH:MM:SS` → "31 January 2025, 14:05:09" (Arabic comma in Arabic). */
export function formatDateTime(timestamp: string, lang: Lang, digits: DigitStyle): string {
  const time = TIME.exec(timestamp)?.[1];
  if (time === undefined || !DATE.test(timestamp)) return toDigits(timestamp, lang, digits);
  return `${formatDate(timestamp, lang, digits)}${lang === 'ar' ? '، ' : ', '}${toDigits(time, lang, digits)}`;
}

/**
 * Card method names by payment method code. Wallets are named by their brand (`WALLETS`),
 * which stays Latin in Arabic too, as their owners require.
 */
const METHOD_NAMES: Record<Lang, Readonly<Record<number, string>>> = {
  en: {
    1: 'KNET',
    2: 'Visa / Mastercard (MPGS)',
    5: 'Visa / Mastercard (Cybersource)',
    7: 'American Express',
    8: 'American Express (MPGS)',
  },
  ar: {
    1: 'كي نت',
    2: 'فيزا / ماستركارد (MPGS)',
    5: 'فيزا / ماستركارد (Cybersource)',
    7: 'أمريكان إكسبريس',
    8: 'أمريكان إكسبريس (MPGS)',
  },
};

/** A payment method as the customer knows it; an unknown code is named by its number. */
export function methodName(code: number, lang: Lang, digits: DigitStyle): string {
  return METHOD_NAMES[lang][code] ?? WALLETS.get(code) ?? (lang === 'ar' ? `طريقة الدفع ${toDigits(String(code), lang, digits)}` : `Method ${code}`);
}
