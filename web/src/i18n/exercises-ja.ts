// The cross-sector exercises' pages: their messages in Japanese, spread into ja.ts (English: exercises-en.ts).

export const exercisesJa = {
  'exercises.title': '分野横断的演習',
  'exercises.empty': '演習はまだありません。',
  'exercises.row': '{status}・分野 {sectors}・投入 {released}/{injects}',
  'exercise.title': '【訓練】演習の事後評価: {title}',
  'exercise.overall': '期限内に実施: {rate}（{n}/{total}）、遅延 {late}、未実施 {missed}、未到来 {pending}',
  'exercise.sectors': '分野別の比較',
  'exercise.stages': '段階別の伝達率',
  'exercise.timeline': 'タイムライン（開始からの経過秒）',
  'exercise.timeline.label': '分野ごとの投入と対応の時刻。表が同じ内容を示します。',
  'exercise.col.sector': '分野',
  'exercise.col.stage': '段階',
  'exercise.col.expected': '期待',
  'exercise.col.onTime': '期限内',
  'exercise.col.late': '遅延',
  'exercise.col.missed': '未実施',
  'exercise.col.pending': '未到来',
  'exercise.col.rate': '率',
  'exercise.col.median': '中央値（秒）',
  'exercise.download': 'CSV をダウンロード',
} as const;
