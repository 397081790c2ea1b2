// The names of the app API's operations, downloads and update topics, with no
// dependencies: Electron's sandboxed preload checks names against these lists
// (it can load no modules), and contract.ts is checked to define exactly these.
export const OP_NAMES = [
  'listEvents',
  'getEvent',
  'countEvents',
  'histogram',
  'stats',
  'facets',
  'diskFacts',
  'deleteEvent',
  'auditSummary',
  'listenerStatus',
  'timeline',
  'ruleVersions',
  'ruleDiff',
] as const;

export const DOWNLOAD_NAMES = ['exportEvents'] as const;

export const TOPICS = ['events', 'listener'] as const;

export type OpName = (typeof OP_NAMES)[number];
export type DownloadName = (typeof DOWNLOAD_NAMES)[number];
export type Topic = (typeof TOPICS)[number];
