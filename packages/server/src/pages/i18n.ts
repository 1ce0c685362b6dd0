import { CURRENCY, formatAmount, formatDate, formatDateTime, methodName, moneyText, toDigits, type DigitStyle, type Lang } from '../lib/formatting.ts';
import type { FailureReason, FieldProblem } from '../modules/payments/payment-connector.ts';
import type { ErrorKind } from './page-models.ts';

// The pages and their tests take the formatting functions from here, beside the words they fill.
export { formatAmount, formatDate, formatDateTime, moneyText, toDigits };

/**
 * Every word the hosted pages show, in English and Arabic, bound with the formatting of money,
 * dates and digits (`lib/formatting.ts`, shared with the invoice messages) into one `Fmt` per
 * language and digit style. Strings that take numbers receive them already formatted (digits
 * converted), so the wording never has to know about digit styles.
 *
 * Digit policy (decided here, applied by the templates through `Fmt`):
 * - Converted to Arabic-Indic on Arabic pages with `digits: 'arab'`: amounts (with `٫` as the
 *   decimal point), dates, times, quantities, counts and limits — everything the page itself words.
 * - Never converted: attribute values (`value`, `datetime`, hrefs), so forms post Latin digits;
 *   merchant- or customer-supplied text (title, reference, description, names), which is shown
 *   exactly as typed; and machine identifiers (payment token, payment id, track id, masked card),
 *   which stay Latin inside `<bdi dir="ltr">` so they read left to right and can be quoted to
 *   support or a bank exactly as their systems print them.
 */

/** KNET member banks shown on the KNET form: short code (the posted value) and names. */
export const BANKS: readonly { code: string; en: string; ar: string }[] = [
  { code: 'NBK', en: 'National Bank of Kuwait (NBK)', ar: 'بنك الكويت الوطني' },
  { code: 'KFH', en: 'Kuwait Finance House (KFH)', ar: 'بيت التمويل الكويتي' },
  { code: 'GBK', en: 'Gulf Bank', ar: 'بنك الخليج' },
  { code: 'BURGAN', en: 'Burgan Bank', ar: 'بنك برقان' },
  { code: 'BOUBYAN', en: 'Boubyan Bank', ar: 'بنك بوبيان' },
  { code: 'WARBA', en: 'Warba Bank', ar: 'بنك وربة' },
  { code: 'ABK', en: 'Al Ahli Bank of Kuwait (ABK)', ar: 'البنك الأهلي الكويتي' },
  { code: 'CBK', en: 'Commercial Bank of Kuwait (CBK)', ar: 'البنك التجاري الكويتي' },
  { code: 'KIB', en: 'Kuwait International Bank (KIB)', ar: 'بنك الكويت الدولي' },
  { code: 'AUB', en: 'Ahli United Bank (AUB)', ar: 'البنك الأهلي المتحد' },
  { code: 'BBK', en: 'Bank of Bahrain and Kuwait (BBK)', ar: 'بنك البحرين والكويت' },
  { code: 'DOHA', en: 'Doha Bank', ar: 'بنك الدوحة' },
  { code: 'QNB', en: 'Qatar National Bank (QNB)', ar: 'بنك قطر الوطني' },
  { code: 'RAJHI', en: 'Al Rajhi Bank', ar: 'مصرف الراجحي' },
  { code: 'CITI', en: 'Citibank', ar: 'سيتي بنك' },
  { code: 'HSBC', en: 'HSBC', ar: 'إتش إس بي سي' },
];

/** How a form field is named in problem messages, and whether one enters or chooses it. */
interface FieldNoun {
  en: string;
  ar: string;
  /** Grammatical gender of the Arabic noun, for the adjective that follows it. */
  arFeminine: boolean;
  choose: boolean;
}

const FIELD_NOUNS: Readonly<Record<string, FieldNoun>> = {
  method: { en: 'payment method', ar: 'طريقة الدفع', arFeminine: true, choose: true },
  amount: { en: 'amount', ar: 'المبلغ', arFeminine: false, choose: false },
  customerName: { en: 'your name', ar: 'الاسم', arFeminine: false, choose: false },
  customerMobile: { en: 'your mobile number', ar: 'رقم الهاتف', arFeminine: false, choose: false },
  customerEmail: { en: 'your email address', ar: 'البريد الإلكتروني', arFeminine: false, choose: false },
  bank: { en: 'bank', ar: 'البنك', arFeminine: false, choose: true },
  cardNumber: { en: 'card number', ar: 'رقم البطاقة', arFeminine: false, choose: false },
  expiryMonth: { en: 'expiry month', ar: 'شهر الانتهاء', arFeminine: false, choose: true },
  expiryYear: { en: 'expiry year', ar: 'سنة الانتهاء', arFeminine: true, choose: true },
  pin: { en: 'your PIN', ar: 'الرقم السري', arFeminine: false, choose: false },
  cvv: { en: 'security code (CVV)', ar: 'رمز الأمان (CVV)', arFeminine: false, choose: false },
  nameOnCard: { en: 'name on the card', ar: 'الاسم على البطاقة', arFeminine: false, choose: false },
};
const OTHER_FIELD: FieldNoun = { en: 'value', ar: 'هذا الحقل', arFeminine: false, choose: false };

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "The card number is not valid." — the article is dropped for nouns that carry their own. */
function theEn(noun: string): string {
  return noun.startsWith('your ') ? noun : `the ${noun}`;
}

function problemEn(field: string, problem: FieldProblem, limit: string | undefined): string {
  const f = FIELD_NOUNS[field] ?? OTHER_FIELD;
  const subject = capitalise(theEn(f.en));
  switch (problem) {
    case 'required':
      return `${f.choose ? 'Choose' : 'Enter'} ${theEn(f.en)}.`;
    case 'invalid':
      return `${subject} is not valid.`;
    case 'not_accepted':
      return field === 'method' ? 'This payment method is not available here.' : `${subject} is not accepted.`;
    case 'below_min':
      return limit ? `${subject} must be at least ${limit}.` : `${subject} is below the minimum.`;
    case 'above_max':
      return limit ? `${subject} must be at most ${limit}.` : `${subject} is above the maximum.`;
  }
}

function problemAr(field: string, problem: FieldProblem, limit: string | undefined): string {
  const f = FIELD_NOUNS[field] ?? OTHER_FIELD;
  const t = f.arFeminine ? 'ة' : '';
  switch (problem) {
    case 'required':
      return `يرجى ${f.choose ? 'اختيار' : 'إدخال'} ${f.ar}.`;
    case 'invalid':
      return `${f.ar} غير صحيح${t}.`;
    case 'not_accepted':
      return field === 'method' ? 'طريقة الدفع هذه غير متاحة هنا.' : `${f.ar} غير مقبول${t}.`;
    case 'below_min':
      return limit ? `${f.ar} أقل من الحد الأدنى (${limit}).` : `${f.ar} أقل من الحد الأدنى.`;
    case 'above_max':
      return limit ? `${f.ar} أكبر من الحد الأقصى (${limit}).` : `${f.ar} أكبر من الحد الأقصى.`;
  }
}

export interface ErrorText {
  heading: string;
  text: string;
  action: string;
}

/** Everything a page says. Functions take numbers already formatted for the page. */
export interface Messages {
  /** This language's own name, for the switch link on the other language's pages. */
  languageName: string;
  status: Record<'pending' | 'paid' | 'cancelled' | 'expired', string>;
  amount: string;
  /** The heading of an invoice that has no reference of the merchant's. */
  invoiceHeading: string;
  reference: string;
  customer: string;
  expiryDate: string;
  paidOn: string;
  statusLabel: string;
  installment: string;
  ofCount: (n: string, count: string) => string;
  items: string;
  item: string;
  rate: string;
  quantity: string;
  lineAmount: string;
  total: string;
  chooseMethod: string;
  pay: (money: string) => string;
  continueToPayment: string;
  invoicePaid: string;
  viewReceipt: string;
  invoiceCancelled: string;
  invoiceExpired: string;
  linkCancelled: string;
  linkExpired: string;
  qrAlt: string;
  qrCaption: string;
  errorSummary: string;
  /** Put before the `<title>` of a refused form, so screen readers hear it first. */
  errorPrefix: string;
  /** Payable state but no method to pay with. */
  unavailable: string;
  amountField: string;
  amountBetween: (min: string, max: string) => string;
  amountAtLeast: (min: string) => string;
  amountUpTo: (max: string) => string;
  customerName: string;
  customerMobile: string;
  mobileHint: (eight: string) => string;
  customerEmail: string;
  yourDetails: string;
  headingCard: string;
  headingWallet: string;
  paymentFor: string;
  method: string;
  bank: string;
  selectBank: string;
  cardNumber: string;
  expiry: string;
  month: string;
  year: string;
  pin: string;
  cvv: string;
  nameOnCard: string;
  changeMethod: string;
  payWith: (wallet: string) => string;
  walletNote: (wallet: string) => string;
  paymentSuccessful: string;
  paymentFailed: string;
  successLead: string;
  receipt: string;
  attempt: string;
  cardType: string;
  maskedCard: string;
  dateTime: string;
  paymentToken: string;
  paymentId: string;
  trackId: string;
  printHint: string;
  tryAgain: string;
  noRetry: string;
  failure: Record<FailureReason, string>;
  errors: Record<ErrorKind, ErrorText>;
  problem: (field: string, problem: FieldProblem, limit?: string) => string;
}

const en: Messages = {
  languageName: 'English',
  status: { pending: 'Awaiting payment', paid: 'Paid', cancelled: 'Cancelled', expired: 'Expired' },
  amount: 'Amount',
  invoiceHeading: 'Invoice',
  reference: 'Reference',
  customer: 'Customer',
  expiryDate: 'Expiry date',
  paidOn: 'Paid on',
  statusLabel: 'Status',
  installment: 'Installment',
  ofCount: (n, count) => `${n} of ${count}`,
  items: `Items (amounts in ${CURRENCY.en})`,
  item: 'Item',
  rate: 'Price',
  quantity: 'Qty',
  lineAmount: 'Amount',
  total: 'Total',
  chooseMethod: 'Choose a payment method',
  pay: (money) => `Pay ${money}`,
  continueToPayment: 'Continue to payment',
  invoicePaid: 'This invoice has been paid.',
  viewReceipt: 'View the receipt',
  invoiceCancelled: 'This invoice has been cancelled and can no longer be paid. Please contact the merchant.',
  invoiceExpired: 'This invoice has expired and can no longer be paid. Please contact the merchant.',
  linkCancelled: 'This payment link has been cancelled and no longer accepts payments.',
  linkExpired: 'This payment link has expired and no longer accepts payments.',
  qrAlt: 'QR code of this page’s address',
  qrCaption: 'Scan to open this page on another device',
  errorSummary: 'Please correct the following',
  errorPrefix: 'Error: ',
  unavailable: 'Online payment is not available at the moment. Please contact the merchant.',
  amountField: `Amount (${CURRENCY.en})`,
  amountBetween: (min, max) => `From ${min} to ${max}`,
  amountAtLeast: (min) => `At least ${min}`,
  amountUpTo: (max) => `Up to ${max}`,
  customerName: 'Your name',
  customerMobile: 'Mobile number',
  mobileHint: (eight) => `${eight} digits, without the country code`,
  customerEmail: 'Email (optional)',
  yourDetails: 'Your details',
  headingCard: 'Enter your card details',
  headingWallet: 'Confirm your payment',
  paymentFor: 'For',
  method: 'Payment method',
  bank: 'Bank',
  selectBank: 'Select your bank',
  cardNumber: 'Card number',
  expiry: 'Expiry date',
  month: 'Month',
  year: 'Year',
  pin: 'PIN',
  cvv: 'Security code (CVV)',
  nameOnCard: 'Name on card',
  changeMethod: 'Change payment method',
  payWith: (wallet) => `Pay with ${wallet}`,
  walletNote: (wallet) => `Sandbox: this button approves the test payment directly; ${wallet} itself is not contacted and no money is moved.`,
  paymentSuccessful: 'Payment successful',
  paymentFailed: 'Payment failed',
  successLead: 'Thank you. Your payment has been received.',
  receipt: 'Receipt',
  attempt: 'Payment details',
  cardType: 'Card type',
  maskedCard: 'Card number',
  dateTime: 'Date and time',
  paymentToken: 'Payment token',
  paymentId: 'Payment ID',
  trackId: 'Track ID',
  printHint: 'Keep this receipt for your records: you can print it or save it as a PDF from your browser.',
  tryAgain: 'Try again',
  noRetry: 'This payment can no longer be retried here. Please contact the merchant.',
  failure: {
    not_captured: 'The payment was not completed. Check the card’s expiry date and PIN, then try again.',
    declined: 'Your bank declined the payment.',
    expired_card: 'The card has expired.',
    timed_out: 'The payment timed out before it was completed.',
    acquirer_error: 'The payment network reported an error. Please try again later.',
    unspecified_failure: 'The payment could not be completed.',
    unknown_cvv: 'The security code (CVV) is incorrect.',
    not_test_card: 'This is a test environment: only the sandbox test cards are accepted, never real cards.',
    refunded:
      'The amount was taken, but this could no longer be paid (it was paid or cancelled in the meantime), so it has been refunded at once. The refund may take a few days to show on your statement.',
  },
  errors: {
    not_found: {
      heading: 'Page not found',
      text: 'This payment link does not exist. Check the link you received and try again.',
      action: 'Go back',
    },
    session_expired: {
      heading: 'Your session has expired',
      text: 'For your security the form expired before it was sent, and nothing was charged. Please start again.',
      action: 'Start again',
    },
    in_progress: {
      heading: 'A payment is in progress',
      text: 'Another payment of this invoice is being processed. Wait a moment, then check the invoice before paying again.',
      action: 'Back to the payment page',
    },
    not_payable: {
      heading: 'This can no longer be paid',
      text: 'In the meantime it has been paid, cancelled or has expired.',
      action: 'Back to the payment page',
    },
    server_error: {
      heading: 'Something went wrong',
      text: 'We could not complete your request. Please try again in a few minutes.',
      action: 'Try again',
    },
  },
  problem: (field, problem, limit) => problemEn(field, problem, limit),
};

const ar: Messages = {
  languageName: 'العربية',
  status: { pending: 'بانتظار الدفع', paid: 'مدفوعة', cancelled: 'ملغاة', expired: 'منتهية الصلاحية' },
  amount: 'المبلغ',
  invoiceHeading: 'فاتورة',
  reference: 'الرقم المرجعي',
  customer: 'العميل',
  expiryDate: 'تاريخ الانتهاء',
  paidOn: 'تاريخ الدفع',
  statusLabel: 'الحالة',
  installment: 'الدفعة',
  ofCount: (n, count) => `${n} من ${count}`,
  items: 'البنود (المبالغ بالدينار الكويتي)',
  item: 'البند',
  rate: 'السعر',
  quantity: 'الكمية',
  lineAmount: 'المبلغ',
  total: 'الإجمالي',
  chooseMethod: 'اختر طريقة الدفع',
  pay: (money) => `ادفع ${money}`,
  continueToPayment: 'متابعة الدفع',
  invoicePaid: 'تم دفع هذه الفاتورة.',
  viewReceipt: 'عرض الإيصال',
  invoiceCancelled: 'تم إلغاء هذه الفاتورة ولم يعد بالإمكان دفعها. يرجى التواصل مع التاجر.',
  invoiceExpired: 'انتهت صلاحية هذه الفاتورة ولم يعد بالإمكان دفعها. يرجى التواصل مع التاجر.',
  linkCancelled: 'تم إلغاء رابط الدفع هذا ولم يعد يقبل أي مدفوعات.',
  linkExpired: 'انتهت صلاحية رابط الدفع هذا ولم يعد يقبل أي مدفوعات.',
  qrAlt: 'رمز QR لعنوان هذه الصفحة',
  qrCaption: 'امسح الرمز لفتح هذه الصفحة على جهاز آخر',
  errorSummary: 'يرجى تصحيح ما يلي',
  errorPrefix: 'خطأ: ',
  unavailable: 'الدفع الإلكتروني غير متاح حالياً. يرجى التواصل مع التاجر.',
  amountField: `المبلغ (${CURRENCY.ar})`,
  amountBetween: (min, max) => `من ${min} إلى ${max}`,
  amountAtLeast: (min) => `لا يقل عن ${min}`,
  amountUpTo: (max) => `لا يزيد عن ${max}`,
  customerName: 'الاسم',
  customerMobile: 'رقم الهاتف',
  mobileHint: (eight) => `${eight} أرقام بدون رمز الدولة`,
  customerEmail: 'البريد الإلكتروني (اختياري)',
  yourDetails: 'بياناتك',
  headingCard: 'أدخل بيانات البطاقة',
  headingWallet: 'تأكيد الدفع',
  paymentFor: 'البيان',
  method: 'طريقة الدفع',
  bank: 'البنك',
  selectBank: 'اختر البنك',
  cardNumber: 'رقم البطاقة',
  expiry: 'تاريخ الانتهاء',
  month: 'الشهر',
  year: 'السنة',
  pin: 'الرقم السري',
  cvv: 'رمز الأمان (CVV)',
  nameOnCard: 'الاسم على البطاقة',
  changeMethod: 'تغيير طريقة الدفع',
  payWith: (wallet) => `ادفع باستخدام ${wallet}`,
  walletNote: (wallet) => `بيئة تجريبية: يعتمد هذا الزر عملية الدفع التجريبية مباشرةً دون الاتصال بخدمة ${wallet}، ولن يتم تحويل أي مبلغ.`,
  paymentSuccessful: 'تمت عملية الدفع بنجاح',
  paymentFailed: 'فشلت عملية الدفع',
  successLead: 'شكراً لك، تم استلام دفعتك.',
  receipt: 'الإيصال',
  attempt: 'تفاصيل العملية',
  cardType: 'نوع البطاقة',
  maskedCard: 'رقم البطاقة',
  dateTime: 'التاريخ والوقت',
  paymentToken: 'رمز الدفع',
  paymentId: 'رقم عملية الدفع',
  trackId: 'رقم التتبع',
  printHint: 'احتفظ بهذا الإيصال لسجلاتك، ويمكنك طباعته أو حفظه بصيغة PDF من المتصفح.',
  tryAgain: 'إعادة المحاولة',
  noRetry: 'لم يعد بالإمكان إعادة محاولة الدفع من هنا. يرجى التواصل مع التاجر.',
  failure: {
    not_captured: 'لم تتم عملية الدفع. يرجى التحقق من تاريخ انتهاء البطاقة والرقم السري ثم المحاولة مرة أخرى.',
    declined: 'تم رفض العملية من قبل البنك.',
    expired_card: 'البطاقة منتهية الصلاحية.',
    timed_out: 'انتهت مهلة العملية قبل إتمامها.',
    acquirer_error: 'حدث خطأ لدى شبكة الدفع. يرجى المحاولة لاحقاً.',
    unspecified_failure: 'تعذّر إتمام عملية الدفع.',
    unknown_cvv: 'رمز الأمان (CVV) غير صحيح.',
    not_test_card: 'هذه بيئة تجريبية: تُقبل بطاقات الاختبار فقط، ولا تُقبل البطاقات الحقيقية.',
    refunded:
      'تم خصم المبلغ، لكن لم يعد بالإمكان إتمام الدفع (تم الدفع أو الإلغاء في هذه الأثناء)، لذا تم استرداد المبلغ فوراً. قد يستغرق ظهور المبلغ المسترد في كشف حسابك بضعة أيام.',
  },
  errors: {
    not_found: {
      heading: 'الصفحة غير موجودة',
      text: 'رابط الدفع هذا غير موجود. يرجى التحقق من الرابط الذي وصلك والمحاولة مرة أخرى.',
      action: 'رجوع',
    },
    session_expired: {
      heading: 'انتهت صلاحية الجلسة',
      text: 'حرصاً على أمانك انتهت صلاحية النموذج قبل إرساله، ولم يتم خصم أي مبلغ. يرجى البدء من جديد.',
      action: 'البدء من جديد',
    },
    in_progress: {
      heading: 'عملية دفع قيد التنفيذ',
      text: 'هناك عملية دفع أخرى لهذه الفاتورة قيد المعالجة. يرجى الانتظار قليلاً ثم مراجعة الفاتورة قبل الدفع مرة أخرى.',
      action: 'العودة إلى صفحة الدفع',
    },
    not_payable: {
      heading: 'لم يعد بالإمكان الدفع',
      text: 'تم الدفع أو الإلغاء أو انتهت الصلاحية في هذه الأثناء.',
      action: 'العودة إلى صفحة الدفع',
    },
    server_error: {
      heading: 'حدث خطأ ما',
      text: 'تعذّر إتمام طلبك. يرجى المحاولة مرة أخرى بعد بضع دقائق.',
      action: 'إعادة المحاولة',
    },
  },
  problem: (field, problem, limit) => problemAr(field, problem, limit),
};

export const MESSAGES: Readonly<Record<Lang, Messages>> = { en, ar };

/** A page's words and number formatting, bound once per language and digit style. */
export interface Fmt {
  lang: Lang;
  dir: 'ltr' | 'rtl';
  t: Messages;
  /** Free-standing numbers, counts, month and year labels. */
  num: (text: string) => string;
  amount: (amount: string) => string;
  money: (amount: string) => string;
  date: (date: string) => string;
  dateTime: (timestamp: string) => string;
  method: (code: number) => string;
}

function makeFmt(lang: Lang, digits: DigitStyle): Fmt {
  return {
    lang,
    dir: lang === 'ar' ? 'rtl' : 'ltr',
    t: MESSAGES[lang],
    num: (text) => toDigits(text, lang, digits),
    amount: (amount) => formatAmount(amount, lang, digits),
    money: (amount) => moneyText(amount, lang, digits),
    date: (date) => formatDate(date, lang, digits),
    dateTime: (timestamp) => formatDateTime(timestamp, lang, digits),
    method: (code) => methodName(code, lang, digits),
  };
}

const FMTS = {
  en: makeFmt('en', 'latn'),
  'ar-latn': makeFmt('ar', 'latn'),
  'ar-arab': makeFmt('ar', 'arab'),
} as const;

/** English pages always use Latin digits, whatever the merchant chose for Arabic. */
export function fmtFor(lang: Lang, digits: DigitStyle): Fmt {
  if (lang === 'en') return FMTS.en;
  return digits === 'arab' ? FMTS['ar-arab'] : FMTS['ar-latn'];
}

export function otherLang(lang: Lang): Lang {
  return lang === 'ar' ? 'en' : 'ar';
}
