// The SSML of a phone call (電話): what the templates say, in a form Amazon Polly reads aloud through
// End User Messaging's SendVoiceMessage. Everything spoken is text escaped here; no caller's text
// ever becomes markup.

/** The language a call is read in: the contact's. */
export type CallLanguage = 'ja' | 'en';

/** The SSML locale of each language; the sender's voice (functions/notify/senders.ts) speaks it. */
export const CALL_LOCALE: Readonly<Record<CallLanguage, 'ja-JP' | 'en-US'>> = { ja: 'ja-JP', en: 'en-US' };

// XML 1.0 allows no C0 control character but tab, newline and carriage return; Polly rejects them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what must go.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Text as SSML character data: the five XML specials escaped, control characters dropped. */
export function escapeSsml(text: string): string {
  return text
    .replace(CONTROL, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const AGAIN: Record<CallLanguage, string> = { ja: '繰り返します。', en: 'Once again.' };

/**
 * A call's SSML: the sentences in the contact's language, then once more after a pause (people
 * miss the start of a call they just picked up).
 */
export function toSsml(sentences: readonly string[], lang: CallLanguage): string {
  const said = sentences.map((s) => `<s>${escapeSsml(s)}</s>`).join('');
  return `<speak><lang xml:lang="${CALL_LOCALE[lang]}">${said}<break time="1s"/><s>${AGAIN[lang]}</s>${said}</lang></speak>`;
}

/**
 * A deadline as it is said, in Japan time: `12月3日 18時30分` (`18時` on the hour), or
 * `3 December, 18:30 Japan time`.
 */
export function spokenTime(iso: string, lang: CallLanguage): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Tokyo',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  ) as Record<'month' | 'day' | 'hour' | 'minute', string>;
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  if (lang === 'ja') {
    return `日本時間 ${Number(parts.month)}月${Number(parts.day)}日 ${hour}時${minute === 0 ? '' : `${minute}分`}`;
  }
  const month = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', month: 'long' }).format(
    new Date(iso),
  );
  return `${Number(parts.day)} ${month}, ${parts.hour}:${parts.minute} Japan time`;
}
