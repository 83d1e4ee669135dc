/** English of ./labels-ja.ts. */
export const labelsEn = {
  'category.cyber_attack': 'Cyber attack',
  'category.natural_disaster': 'Natural disaster',
  'category.system_failure': 'System failure',
  'category.other': 'Other',
  'severity.critical': 'Critical',
  'severity.high': 'High',
  'severity.medium': 'Medium',
  'severity.low': 'Low',
  'hop.secretariat': 'Secretariat review',
  'hop.member': 'Member resubmission',
  'hop.ministry': 'Ministry receipt',
  'hop.nisc': 'NISC receipt',
  'drill.chart': 'Acknowledgements over time',
  'drill.chart.x': 'Time since distribution',
  'drill.chart.y': 'Share acknowledged',
  'drill.chart.deadline': 'Deadline',
};
