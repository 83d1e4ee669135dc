/**
 * Date formatters, made once per language and kind: building an Intl.DateTimeFormat is slow, and lists
 * re-render every second (time left), each row formatting its dates.
 */
const cache = new Map<string, Intl.DateTimeFormat>();

export function dateFormat(lang: 'ja' | 'en', kind: 'local' | 'localSeconds' | 'jst'): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
      ...(kind === 'jst' ? { timeZone: 'Asia/Tokyo' } : { timeZoneName: 'short' }),
      ...(kind === 'local' ? {} : { second: '2-digit' }),
      // dateStyle/timeStyle cannot be combined with timeZoneName: the fields are spelled out.
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
    cache.set(key, format);
  }
  return format;
}
