/**
 * The labels of the domain's values (categories, severities, the relay's hops) and of the drill chart: the
 * console's, and the annual report's (functions/reports/annual-report-html.ts), which imports this module
 * alone so that its bundle does not carry the console's whole catalog (some 100 KB).
 */
export const labelsJa = {
  'category.cyber_attack': 'サイバー攻撃',
  'category.natural_disaster': '自然災害',
  'category.system_failure': 'システム障害',
  'category.other': 'その他',
  'severity.critical': '緊急',
  'severity.high': '高',
  'severity.medium': '中',
  'severity.low': '低',
  'hop.secretariat': '事務局の審査',
  'hop.member': '会員の再提出',
  'hop.ministry': '所管省庁の受領',
  'hop.nisc': 'NISC の受領',
  'drill.chart': '受領確認の推移',
  'drill.chart.x': '配信からの経過時間',
  'drill.chart.y': '確認済みの割合',
  'drill.chart.deadline': '期限',
};
