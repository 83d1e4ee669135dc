import type { AdvisoryPurpose } from '../../events/advisory/advisory.ts';
import type { Channel, NotificationPurpose } from '../../events/incident/incident.ts';
import type { Tlp } from '../../events/incident/report.ts';
import type { Hop, Severity } from '../../events/policy.ts';
import { spokenTime, toSsml } from './voice-script.ts';

/** Everything a message may say about an incident; what it does say depends on the TLP label. */
export interface MessageFacts {
  readonly purpose: NotificationPurpose;
  readonly incidentId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly tlp: Tlp;
  readonly hop: Hop | null;
  readonly dueAt: string | null;
  readonly escalation: number | null;
  /** The reporting stage the message is about (its names in the incident's preset), if any. */
  readonly stage?: { readonly ja: string; readonly en: string } | null;
  readonly link: string;
}

export type Lang = 'ja' | 'en';

/** A rendered message: subject and text for e-mail, a short text for SMS and webhooks, SSML for a call. */
export interface Message {
  readonly subject: string;
  readonly text: string;
  readonly short: string;
  /** What a phone call reads: SSML, in the contact's language, as far as the TLP label allows. */
  readonly voice: string;
}

const hopName: Record<Lang, Record<Hop, string>> = {
  ja: {
    secretariat: 'セプター事務局の確認',
    member: '報告者の再提出',
    ministry: '所管省庁の受領',
    nisc: 'NISCの受領',
  },
  en: {
    secretariat: "the secretariat's review",
    member: "the reporter's resubmission",
    ministry: "the ministry's receipt",
    nisc: "NISC's receipt",
  },
};

const severityName: Record<Lang, Record<Severity, string>> = {
  ja: { critical: '緊急', high: '高', medium: '中', low: '低' },
  en: { critical: 'critical', high: 'high', medium: 'medium', low: 'low' },
};

const headline: Record<Lang, Record<NotificationPurpose, string>> = {
  ja: {
    review_requested: '【要対応】IT障害報告の確認依頼',
    returned: '【要対応】IT障害報告が差し戻されました',
    approved: 'IT障害報告の連絡が承認されました',
    relay: '【要対応】IT障害報告の受領依頼',
    relayed: 'IT障害報告の連絡が完了しました',
    follow_up: 'IT障害報告の続報',
    escalation: '【期限超過】IT障害報告の対応期限を過ぎています',
    stalled: '【停止】IT障害報告の連絡が止まっています',
    stage_reminder: '【要対応】IT障害報告の提出期限が近づいています',
    stage_escalation: '【期限超過】IT障害報告の提出期限を過ぎています',
  },
  en: {
    review_requested: '[Action] IT incident report awaiting review',
    returned: '[Action] Your IT incident report was returned',
    approved: 'Your IT incident report was approved for relay',
    relay: '[Action] IT incident report awaiting receipt',
    relayed: 'IT incident report relayed to NISC',
    follow_up: 'IT incident report follow-up',
    escalation: '[Overdue] IT incident report deadline missed',
    stalled: '[Stalled] IT incident report relay has stopped',
    stage_reminder: '[Reminder] IT incident report due soon',
    stage_escalation: '[Overdue] IT incident report not submitted by its deadline',
  },
};

/** Labels whose content must not leave the system: the message only says something is waiting. */
export const withheld = (tlp: Tlp) => tlp === 'RED' || tlp === 'AMBER+STRICT';

/** A TLP label as a voice says it. */
const spokenTlp: Record<Lang, Record<Tlp, string>> = {
  ja: {
    RED: 'TLP レッド',
    'AMBER+STRICT': 'TLP アンバー・ストリクト',
    AMBER: 'TLP アンバー',
    GREEN: 'TLP グリーン',
    CLEAR: 'TLP クリア',
  },
  en: {
    RED: 'TLP red',
    'AMBER+STRICT': 'TLP amber strict',
    AMBER: 'TLP amber',
    GREEN: 'TLP green',
    CLEAR: 'TLP clear',
  },
};

/** What a call says the message is about: the headline without its brackets. */
const spokenHeadline: Record<Lang, Record<NotificationPurpose, string>> = {
  ja: {
    review_requested: 'IT障害報告の確認をお願いします。',
    returned: 'IT障害報告が差し戻されました。再提出をお願いします。',
    approved: 'IT障害報告の連絡が承認されました。',
    relay: 'IT障害報告の受領確認をお願いします。',
    relayed: 'IT障害報告の連絡が完了しました。',
    follow_up: 'IT障害報告の続報があります。',
    escalation: 'IT障害報告の対応期限を過ぎています。',
    stalled: 'IT障害報告の連絡が止まっています。',
    stage_reminder: 'IT障害報告の提出期限が近づいています。',
    stage_escalation: 'IT障害報告が提出期限までに提出されていません。',
  },
  en: {
    review_requested: 'An IT incident report is waiting for your review.',
    returned: 'Your IT incident report was returned. Please resubmit it.',
    approved: 'Your IT incident report was approved for relay.',
    relay: 'An IT incident report is waiting for your receipt.',
    relayed: 'Your IT incident report was relayed to NISC.',
    follow_up: 'An IT incident report has a follow-up.',
    escalation: 'An IT incident report has missed its deadline.',
    stalled: 'An IT incident report relay has stopped.',
    stage_reminder: 'An IT incident report is due soon.',
    stage_escalation: 'An IT incident report was not submitted by its deadline.',
  },
};

// One deployment serves every sector, and every sector's members get these messages: the system names
// itself, not one sector.
const callerName: Record<Lang, string> = {
  ja: 'こちらは、セプター情報連絡システムです。',
  en: 'This is the CEPTOAR relay.',
};

/** The last line of every e-mail. */
const signOff: Record<Lang, string> = {
  ja: 'このメールはセプター情報連絡システムから送信されています。',
  en: 'Sent by the CEPTOAR relay.',
};

/** What a call says when the label keeps the content behind the login. */
const notReadAloud = (tlp: Tlp, lang: Lang, what: 'report' | 'advisory' | 'survey') =>
  lang === 'ja'
    ? `${spokenTlp.ja[tlp]}の${{ report: '報告', advisory: '情報提供', survey: '調査' }[what]}のため、内容は電話ではお伝えしません。`
    : `This ${what} is ${spokenTlp.en[tlp]}: its content is not read over the phone.`;

/**
 * The sentences of an incident call: who calls, what happened, what the label allows of the report
 * (its title and severity, never its text), what is due by when, and where to act.
 */
function spokenIncident(facts: MessageFacts, lang: Lang): string[] {
  const ja = lang === 'ja';
  const said = [callerName[lang], spokenHeadline[lang][facts.purpose]];
  if (withheld(facts.tlp)) said.push(notReadAloud(facts.tlp, lang, 'report'));
  else {
    said.push(
      ja ? `情報区分は、${spokenTlp.ja[facts.tlp]}です。` : `It is ${spokenTlp.en[facts.tlp]}.`,
      ja ? `表題は、${facts.title}。` : `Title: ${facts.title}.`,
      ja
        ? `重大度は、${severityName.ja[facts.severity]}です。`
        : `Severity: ${severityName.en[facts.severity]}.`,
    );
  }
  if (facts.stage && facts.dueAt) {
    const by = spokenTime(facts.dueAt, lang);
    said.push(
      ja
        ? `${facts.stage.ja}の提出期限は、${by}です。`
        : `The ${facts.stage.en.toLowerCase()} is due by ${by}.`,
    );
  }
  if (facts.hop && facts.dueAt) {
    const by = spokenTime(facts.dueAt, lang);
    const hop = hopName[lang][facts.hop];
    said.push(
      ja ? `${hop}の期限は、${by}です。` : `${hop[0]?.toUpperCase()}${hop.slice(1)} is due by ${by}.`,
    );
  }
  if (facts.escalation)
    said.push(
      ja
        ? `${facts.escalation}回目のエスカレーションです。`
        : `This is escalation number ${facts.escalation}.`,
    );
  said.push(
    ja ? 'システムにログインして確認してください。' : 'Please sign in to the relay to read it and act.',
  );
  return said;
}

function formatTime(iso: string, lang: Lang): string {
  const time = new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'Asia/Tokyo',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso));
  return `${time} JST`;
}

/**
 * Renders a notification in the contact's language. The subject carries the TLP label and
 * the deadline; RED and AMBER+STRICT messages carry no incident content, only the link.
 */
export function render(facts: MessageFacts, lang: Lang): Message {
  const due = facts.dueAt ? formatTime(facts.dueAt, lang) : null;
  const dueText = due ? (lang === 'ja' ? ` (期限 ${due})` : ` (due ${due})`) : '';
  const stage = facts.stage ? (lang === 'ja' ? `「${facts.stage.ja}」` : ` (${facts.stage.en})`) : '';
  const subject = `[TLP:${facts.tlp}] ${headline[lang][facts.purpose]}${stage}${dueText}`;
  const lines: string[] = [];
  if (lang === 'ja') {
    if (withheld(facts.tlp)) {
      lines.push(`TLP:${facts.tlp} の報告のため、内容はログイン後に確認してください。`);
    } else {
      lines.push(`表題: ${facts.title}`, `重大度: ${severityName.ja[facts.severity]}`);
    }
    if (facts.stage && due) lines.push(`提出する報告: ${facts.stage.ja} (期限 ${due})`);
    if (facts.hop && due) lines.push(`対応: ${hopName.ja[facts.hop]} (期限 ${due})`);
    if (facts.escalation) lines.push(`エスカレーション: ${facts.escalation} 回目`);
    lines.push(`確認: ${facts.link}`, '', signOff.ja);
  } else {
    if (withheld(facts.tlp)) {
      lines.push(`This report is TLP:${facts.tlp}: sign in to read it.`);
    } else {
      lines.push(`Title: ${facts.title}`, `Severity: ${severityName.en[facts.severity]}`);
    }
    if (facts.stage && due) lines.push(`Report to submit: ${facts.stage.en} (due ${due})`);
    if (facts.hop && due) lines.push(`Next step: ${hopName.en[facts.hop]} (due ${due})`);
    if (facts.escalation) lines.push(`Escalation: #${facts.escalation}`);
    lines.push(`Open: ${facts.link}`, '', signOff.en);
  }
  const short = `${subject} ${facts.link}`;
  return { subject, text: lines.join('\n'), short, voice: toSsml(spokenIncident(facts, lang), lang) };
}

/** What a channel carries of a rendered message. */
export const bodyFor = (message: Message, channel: Channel): string =>
  channel === 'email' ? message.text : channel === 'voice' ? message.voice : message.short;

/** Everything a message may say about an advisory; what it does say depends on the TLP label. */
export interface AdvisoryFacts {
  readonly purpose: AdvisoryPurpose;
  readonly title: string;
  readonly body: string;
  readonly tlp: Tlp;
  readonly drill: boolean;
  /** The acknowledgement (or forwarding) deadline the subject names. */
  readonly dueAt: string | null;
  /** Forwarding notes of the hops above, which travel with the advisory. */
  readonly notes: readonly string[];
  readonly link: string;
  /** The acknowledgement link, for recipients. */
  readonly ackLink: string | null;
  readonly escalation: number | null;
  /** For the secretariat's window report. */
  readonly missed: number | null;
}

const advisoryHeadline: Record<Lang, Record<AdvisoryFacts['purpose'], string>> = {
  ja: {
    forward_requested: '【要対応】情報提供の展開依頼',
    forward_escalation: '【期限超過】情報提供の展開期限を過ぎています',
    forward_stalled: '【停止】情報提供の展開が止まっています',
    advisory: '【要確認】情報提供',
    reminder: '【再送・要確認】情報提供の受領確認をお願いします',
    window_closed: '情報提供の受領確認期限が終了しました',
    contact_check: '【連絡先確認】受信を確認してください',
  },
  en: {
    forward_requested: '[Action] Advisory to forward',
    forward_escalation: '[Overdue] Advisory forwarding deadline missed',
    forward_stalled: '[Stalled] Advisory forwarding has stopped',
    advisory: '[Action] Advisory: please acknowledge',
    reminder: '[Reminder] Advisory awaiting your acknowledgement',
    window_closed: 'Advisory acknowledgement window closed',
    contact_check: '[Contact check] Please confirm you received this',
  },
};

const spokenAdvisoryHeadline: Record<Lang, Record<AdvisoryFacts['purpose'], string>> = {
  ja: {
    forward_requested: '情報提供の展開をお願いします。',
    forward_escalation: '情報提供の展開期限を過ぎています。',
    forward_stalled: '情報提供の展開が止まっています。',
    advisory: '情報提供が届いています。受領の確認をお願いします。',
    reminder: '情報提供の受領がまだ確認されていません。受領の確認をお願いします。',
    window_closed: '情報提供の受領確認期限が終了しました。',
    contact_check: '連絡先の確認です。受信の確認をお願いします。',
  },
  en: {
    forward_requested: 'An advisory is waiting for you to forward it.',
    forward_escalation: 'An advisory has missed its forwarding deadline.',
    forward_stalled: 'An advisory has stopped on its way to the members.',
    advisory: 'An advisory is waiting for you. Please acknowledge it.',
    reminder: 'An advisory is still waiting for your acknowledgement.',
    window_closed: "An advisory's acknowledgement window has closed.",
    contact_check: 'This is a contact check. Please confirm you received it.',
  },
};

/** The sentences of an advisory call: the drill mark, the title where the label allows (never the text), the deadline. */
function spokenAdvisory(facts: AdvisoryFacts, lang: Lang): string[] {
  const ja = lang === 'ja';
  const said: string[] = [];
  if (facts.drill) said.push(ja ? 'これは訓練です。' : 'This is a drill.');
  said.push(callerName[lang], spokenAdvisoryHeadline[lang][facts.purpose]);
  if (withheld(facts.tlp)) said.push(notReadAloud(facts.tlp, lang, 'advisory'));
  else {
    said.push(
      ja ? `情報区分は、${spokenTlp.ja[facts.tlp]}です。` : `It is ${spokenTlp.en[facts.tlp]}.`,
      ja ? `表題は、${facts.title}。` : `Title: ${facts.title}.`,
    );
  }
  if (facts.dueAt) {
    const by = spokenTime(facts.dueAt, lang);
    said.push(ja ? `期限は、${by}です。` : `It is due by ${by}.`);
  }
  if (facts.escalation)
    said.push(
      ja
        ? `${facts.escalation}回目のエスカレーションです。`
        : `This is escalation number ${facts.escalation}.`,
    );
  if (facts.missed !== null)
    said.push(
      ja ? `未確認の受信者は、${facts.missed}件です。` : `${facts.missed} recipients did not acknowledge.`,
    );
  const acknowledge = ['advisory', 'reminder', 'contact_check'].includes(facts.purpose);
  said.push(
    ja
      ? acknowledge
        ? 'システムにログインして、受領を確認してください。'
        : 'システムにログインして確認してください。'
      : acknowledge
        ? 'Please sign in to the relay and acknowledge it.'
        : 'Please sign in to the relay to read it.',
  );
  return said;
}

/**
 * Renders an advisory message in the contact's language. The subject carries 【訓練】/[DRILL]
 * for a drill, the TLP label and the deadline; RED and AMBER+STRICT messages say only that an
 * advisory is waiting, with the links: the text stays behind the login.
 */
export function renderAdvisory(facts: AdvisoryFacts, lang: Lang): Message {
  const due = facts.dueAt ? formatTime(facts.dueAt, lang) : null;
  const ja = lang === 'ja';
  const dueText = due ? (ja ? ` (期限 ${due})` : ` (by ${due})`) : '';
  const drill = facts.drill ? (ja ? '【訓練】' : '[DRILL] ') : '';
  const subject = `${drill}[TLP:${facts.tlp}] ${advisoryHeadline[lang][facts.purpose]}${dueText}`;
  const lines: string[] = [];
  if (facts.drill) lines.push(ja ? 'これは訓練です。' : 'This is a drill.');
  if (withheld(facts.tlp)) {
    lines.push(
      ja
        ? `TLP:${facts.tlp} の情報提供が届いています。内容はログイン後に確認してください。`
        : `A TLP:${facts.tlp} advisory is waiting for you: sign in to read it.`,
    );
  } else {
    lines.push(ja ? `表題: ${facts.title}` : `Title: ${facts.title}`, '', facts.body);
    for (const note of facts.notes) lines.push(ja ? `展開時のコメント: ${note}` : `Note: ${note}`);
  }
  if (facts.escalation)
    lines.push(ja ? `エスカレーション: ${facts.escalation} 回目` : `Escalation: #${facts.escalation}`);
  if (facts.missed !== null)
    lines.push(
      ja ? `未確認の受信者: ${facts.missed}` : `Recipients who did not acknowledge: ${facts.missed}`,
    );
  if (facts.ackLink) {
    lines.push(
      ja
        ? `受領確認: ${facts.ackLink} （開いて「受領を確認する」を押してください）`
        : `Acknowledge: ${facts.ackLink} (open it and press "Acknowledge")`,
    );
  }
  lines.push(ja ? `確認: ${facts.link}` : `Open: ${facts.link}`, '');
  lines.push(signOff[lang]);
  const short = `${subject} ${facts.ackLink ?? facts.link}`;
  return { subject, text: lines.join('\n'), short, voice: toSsml(spokenAdvisory(facts, lang), lang) };
}

/** Everything a message may say about a survey; what it does say depends on the TLP label. */
export interface SurveyFacts {
  readonly purpose: 'survey' | 'survey_reminder';
  /** The newest version's title, in both languages. */
  readonly title: { readonly ja: string; readonly en: string };
  readonly tlp: Tlp;
  readonly dueAt: string;
  /** Where the member fills it in on the console. */
  readonly link: string;
}

const surveyHeadline: Record<Lang, Record<SurveyFacts['purpose'], string>> = {
  ja: {
    survey: '【要回答】調査のお願い',
    survey_reminder: '【再送・要回答】調査への回答をお願いします',
  },
  en: {
    survey: '[Action] Survey: please answer',
    survey_reminder: '[Reminder] Survey awaiting your answer',
  },
};

/**
 * Renders a survey invitation or reminder in the contact's language: the TLP label and the due
 * date in the subject, the title where the label allows it (never for RED or AMBER+STRICT), and the
 * console link where it is filled in. A survey is never a drill: no 【訓練】 mark.
 */
export function renderSurvey(facts: SurveyFacts, lang: Lang): Message {
  const ja = lang === 'ja';
  const due = formatTime(facts.dueAt, lang);
  const subject = `[TLP:${facts.tlp}] ${surveyHeadline[lang][facts.purpose]}${ja ? ` (期限 ${due})` : ` (by ${due})`}`;
  const lines: string[] = [];
  if (withheld(facts.tlp))
    lines.push(
      ja
        ? `TLP:${facts.tlp} の調査が届いています。内容はログイン後に確認してください。`
        : `A TLP:${facts.tlp} survey is waiting for you: sign in to read it.`,
    );
  else lines.push(ja ? `調査: ${facts.title.ja}` : `Survey: ${facts.title.en}`);
  lines.push(
    ja ? `回答期限: ${due}` : `Due: ${due}`,
    ja ? `回答: ${facts.link}` : `Answer: ${facts.link}`,
    '',
    signOff[lang],
  );
  const said = [
    callerName[lang],
    ja
      ? facts.purpose === 'survey'
        ? '調査への回答をお願いします。'
        : '調査への回答がまだ提出されていません。'
      : facts.purpose === 'survey'
        ? 'A survey is waiting for your answers.'
        : 'A survey is still waiting for your answers.',
    ...(withheld(facts.tlp)
      ? [notReadAloud(facts.tlp, lang, 'survey')]
      : [ja ? `調査名は、${facts.title.ja}。` : `Survey: ${facts.title.en}.`]),
    ja
      ? `期限は、${spokenTime(facts.dueAt, lang)}です。システムにログインして回答してください。`
      : `It is due by ${spokenTime(facts.dueAt, lang)}. Please sign in to the relay to answer it.`,
  ];
  return {
    subject,
    text: lines.join('\n'),
    short: `${subject} ${facts.link}`,
    voice: toSsml(said, lang),
  };
}
