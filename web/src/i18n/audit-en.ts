import type { auditJa } from './audit-ja.ts';

/** The auditor's pages, in English: typed against the Japanese keys. */
export const auditEn: Record<keyof typeof auditJa, string> = {
  'audit.nav': 'Audit menu',
  'audit.nav.streams': 'Streams and verification',
  'audit.nav.compliance': 'Deadline compliance',
  'audit.title': 'Audit: choose a stream',
  'audit.intro':
    'Choose a stream of the event log (an incident, an advisory, an organisation…) to see its state at any moment and the events up to it, and to verify its hash chain and signature in this browser.',
  'audit.pick.label': 'Choose from the list',
  'audit.pick.choose': 'Choose…',
  'audit.pick.open': 'Open',
  'audit.type.incident': 'Incidents',
  'audit.type.advisory': 'Advisories',
  'audit.type.advisory-recipient': 'Advisory recipients',
  'audit.type.organization': 'Organisations (directory)',
  'audit.typed.label': 'Or type a stream id',
  'audit.typed.hint': 'For example incident#6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
  'audit.typed.invalid': 'Enter it as type#id (for example incident#…)',
  'audit.stream.title': 'Stream',
  'audit.stream.back': 'Choose another stream',
  'audit.stream.notYet': 'This stream did not exist yet at {time}.',
  'audit.stream.none': 'There is no such stream.',
  'audit.asOf.label': 'Moment (Japan Standard Time, JST)',
  'audit.asOf.hint':
    'The state is rebuilt from the events recorded at or before this moment, to the second (or millisecond).',
  'audit.asOf.apply': 'Show the state at this moment',
  'audit.asOf.latest': 'Back to the latest state',
  'audit.asOf.showing': 'Showing the moment: {time}',
  'audit.asOf.showingLatest': 'Showing the moment: latest',
  'audit.state.title': 'State at that moment (version {version})',
  'audit.state.unfolded': 'Streams of this type are not folded into a state: only the events are shown.',
  'audit.value.none': '(none)',
  'audit.value.empty': '(empty)',
  'audit.value.yes': 'yes',
  'audit.value.no': 'no',
  'audit.events.title': 'Events up to that moment ({n})',
  'audit.events.hash': 'Hash',
  'audit.events.data': 'Data of #{n}',
  'audit.events.showAfter': 'Show the state right after #{n}',
  'audit.verify.title': 'Tamper check',
  'audit.verify.intro':
    "Every event of the stream is fetched and, in this browser, its SHA-256 hash (over RFC 8785 canonical JSON) recomputed, the chain followed, the inclusion proof in the latest checkpoint and the checkpoint's signature checked. The server's own verdict is not used.",
  'audit.verify.run': 'Verify this stream',
  'audit.verify.running': 'Verifying…',
  'audit.verify.ok': 'Verified: {n} events, chain intact.',
  'audit.verify.anchored':
    'Versions up to {version} are in checkpoint {id}, signed at {time}; the inclusion proof and the signature hold.',
  'audit.verify.after':
    'Versions {from}–{to} came after that checkpoint: until the next one, only the hash chain protects them.',
  'audit.verify.noCheckpoint': 'No checkpoint covers this stream yet: only its hash chain was verified.',
  'audit.verify.key': 'Signature {algorithm}, key {key}',
  'audit.pin.summary': 'Pin the public key (optional)',
  'audit.pin.label': "The checkpoints' public key (PEM)",
  'audit.pin.hint':
    "Paste the public key you obtained apart from the server (locally .data/checkpoint-key.pub.pem, in AWS the KMS key's public key) and the signature is checked under it. Kept on this device. Empty: the key the server sends is used.",
  'audit.verify.keyPinned':
    'The signature was checked under your pinned public key (SHA-256 fingerprint {fingerprint}).',
  'audit.verify.keyServer':
    'The signature was checked under the public key the server sent (SHA-256 fingerprint {fingerprint}): compare it with the published fingerprint, or pin the key.',
  'audit.verify.failed': 'Verification failed ({n} events checked).',
  'audit.failure.content-hash':
    'Version {version}: the content does not match its hash (the event was edited).',
  'audit.failure.chain-break':
    'Version {version}: its hash does not link to version {other} (an event before it was removed, inserted or changed).',
  'audit.failure.missing-event': 'Version {other} is missing (the next present is version {version}).',
  'audit.failure.unexpected-version':
    'Version {version} appears after version {other} (reordered or inserted).',
  'audit.failure.unhashed-event': 'Version {version}: carries no hash.',
  'audit.failure.truncated':
    'Versions from {version} on are gone: the checkpoint recorded a later version (truncated).',
  'audit.failure.checkpoint-mismatch':
    'Version {version}: differs from what the checkpoint recorded (the stream was rewritten).',
  'audit.failure.bad-proof':
    "The inclusion proof does not lead to the checkpoint's root (forged or wrong proof).",
  'audit.failure.checkpoint-signature': "The checkpoint's signature does not verify under the public key.",
  'audit.compliance.title': 'Audit: deadline compliance',
  'audit.compliance.intro':
    "For each hop of the relay that started in the period (the secretariat's review, the member's resubmission, the ministry's and NISC's receipt): whether it met the deadline it started with, per hop and severity.",
  'audit.compliance.from': 'From (JST day)',
  'audit.compliance.to': 'To (JST day)',
  'audit.compliance.toBeforeFrom': 'The end must not be before the start',
  'audit.compliance.show': 'Show',
  'audit.compliance.period': 'Period: {from} to {to}',
  'audit.compliance.empty': 'No hop of a relay started in this period.',
  'audit.compliance.caption': 'Deadline compliance per hop and severity',
  'audit.compliance.hop': 'Hop',
  'audit.compliance.total': 'Runs',
  'audit.compliance.met': 'Met',
  'audit.compliance.missed': 'Missed',
  'audit.compliance.open': 'Open',
  'audit.compliance.share': 'Share met',
  'audit.compliance.escalations': 'Escalations',
  'audit.compliance.slowest': 'Slowest incidents',
  'audit.compliance.chart.label': 'Chart of the share met: {summary}. The table below has the details.',
  'audit.compliance.chart.right': 'Right-hand figure: share met',
  'audit.outcome.met': 'met',
  'audit.outcome.missed': 'missed',
  'audit.outcome.open': 'open',
};
