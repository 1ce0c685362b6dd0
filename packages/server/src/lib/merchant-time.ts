/**
 * Dates and timestamps as merchants see them: wall-clock time in the merchant's time zone
 * (Asia/Kuwait by default), formatted the way Hesabe replies (`YYYY-MM-DD HH:MM:SS`).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(date: Date, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(date)) out[p.type] = p.value;
  return out;
}

/**
 * formatToParts is slow enough to show in profiles, and replies repeat the same second many
 * times: remember the last (zone, second) each formatter was asked for.
 */
function lastSecondMemo(format: (p: Record<string, string>) => string): (date: Date, timeZone: string) => string {
  let lastKey = '';
  let lastValue = '';
  return (date, timeZone) => {
    const key = `${timeZone}|${Math.floor(date.getTime() / 1000)}`;
    if (key !== lastKey) {
      lastValue = format(parts(date, timeZone));
      lastKey = key;
    }
    return lastValue;
  };
}

/** `2025-10-05 11:11:58` in the given zone. */
export const formatTimestamp = lastSecondMemo((p) => `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`);

/** Today's calendar date (`YYYY-MM-DD`) in the given zone. */
export const localDate = lastSecondMemo((p) => `${p.year}-${p.month}-${p.day}`);

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD` (no 2025-02-30, no 2025-13-01). */
export function isCalendarDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1) return false;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= daysInMonth;
}
