import type { Tlp } from '../../events/incident/report.ts';
import type { Problem } from '../http/problem.ts';
import { withheld } from './templates.ts';

/**
 * The page a person sees on opening an acknowledgement link, in Japanese with English beside
 * it (no session says which language the reader prefers). Opening the link records nothing:
 * mail and chat scanners fetch links before people do, and would otherwise acknowledge for
 * them and inflate a drill's rate. The button posts to the same address.
 */
export interface AckPageFacts {
  readonly title: string | null;
  readonly tlp: Tlp;
  readonly drill: boolean;
  readonly org: string;
  /** The organisation's names, from the directory (its id when it is not there). */
  readonly orgName: { readonly ja: string; readonly en: string };
  /** When the organisation's acknowledgement was recorded; null while it is not. */
  readonly acknowledgedAt: string | null;
  /** True on the answer to the button: this request recorded it. */
  readonly justRecorded: boolean;
  /** The console's page of the advisory (sign-in needed). */
  readonly consoleLink: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const jst = (iso: string, lang: 'ja' | 'en') =>
  `${new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'Asia/Tokyo',
    dateStyle: 'medium',
    timeStyle: 'medium',
  }).format(new Date(iso))} JST`;

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1a1a1a}
main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;border:1px solid #d0d4da}
h1{font-size:1.4rem;margin-top:0}.en{color:#444}.tlp{background:#000;font-weight:700;padding:.1rem .4rem;border-radius:3px}
.tlp-clear{color:#fff}.tlp-green{color:#33ff00}.tlp-amber,.tlp-amber-strict{color:#ffc000}.tlp-red{color:#ff2b2b}
.drill{display:inline-block;background:#5b2a86;color:#fff;padding:.1rem .5rem;border-radius:3px;margin-right:.5rem}
button{font-size:1.1rem;padding:.7rem 1.4rem;background:#0b5cad;color:#fff;border:0;border-radius:6px;cursor:pointer}
button:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}.done{background:#e6f4ea;border:1px solid #1e7b34;padding:.75rem;border-radius:6px}
a{color:#0b5cad}@media (max-width:40rem){main{margin:0;border-radius:0}}`;

export function ackPage(f: AckPageFacts): string {
  const tlpClass = f.tlp.toLowerCase().replace('+', '-');
  const heading = f.drill ? '<span class="drill">【訓練】DRILL</span>' : '';
  const drillNote = f.drill
    ? '<p><strong>これは訓練です。</strong> <span class="en" lang="en">This is a drill.</span></p>'
    : '';
  const subject =
    f.title !== null && !withheld(f.tlp)
      ? `<p><strong>${escapeHtml(f.title)}</strong></p>`
      : `<p>TLP:${f.tlp} の情報提供です。内容は<a href="${escapeHtml(f.consoleLink)}">ログインして確認</a>してください。<br><span class="en" lang="en">A TLP:${f.tlp} advisory: <a href="${escapeHtml(f.consoleLink)}">sign in to read it</a>.</span></p>`;
  const state =
    f.acknowledgedAt !== null
      ? `<div class="done" role="status"><p>${
          f.justRecorded ? '受領確認を記録しました' : 'この情報提供の受領確認は記録済みです'
        }（${jst(f.acknowledgedAt, 'ja')}）。</p><p class="en" lang="en">${
          f.justRecorded ? 'Your acknowledgement is recorded' : 'This advisory is already acknowledged'
        } (${jst(f.acknowledgedAt, 'en')}).</p></div>`
      : `<form method="post"><button type="submit">受領を確認する <span lang="en">/ Acknowledge</span></button></form>
<p>ボタンを押すと、${escapeHtml(f.orgName.ja)} としての受領が記録されます。リンクを開いただけでは記録されません。</p>
<p class="en" lang="en">Pressing the button records receipt for ${escapeHtml(f.orgName.en)}. Opening the link alone records nothing.</p>`;
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>情報提供の受領確認 / Acknowledge an advisory</title><style>${STYLE}</style></head>
<body><main><h1>${heading}情報提供の受領確認 <span class="en" lang="en">/ Acknowledge an advisory</span></h1>
<p><span class="tlp tlp-${tlpClass}">TLP:${f.tlp}</span></p>
${drillNote}
${subject}
${state}
</main></body></html>
`;
}

/** The page's headers: no caching, no scripts, forms only to itself, never framed. */
export const ACK_PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

/** An error as a page, for a person who opened a link that is expired, altered or not theirs. */
export function ackErrorPage(problem: Problem): string {
  const ja =
    problem.status === 401
      ? 'このリンクは無効か、期限切れです。コンソールにログインして受領を確認してください。'
      : problem.status === 404
        ? 'このリンクに該当する情報提供が見つかりません。'
        : '受領確認を記録できませんでした。しばらくしてからもう一度お試しください。';
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>受領確認 / Acknowledge</title><style>${STYLE}</style></head>
<body><main><h1>受領確認 <span class="en" lang="en">/ Acknowledge</span></h1>
<p role="alert">${ja}</p><p class="en" lang="en">${escapeHtml(problem.detail ?? problem.title)}</p>
</main></body></html>
`;
}
