/**
 * The specs, named by the tag their tests carry: the one list the report labels and the
 * sign-off both read. A test's tag says which feature it belongs to, how severe its failure is,
 * and (harness/signoff/criteria.ts) which sign-off criteria its result is evidence for.
 */
import path from 'node:path';

export type Severity = 'blocker' | 'critical' | 'normal' | 'minor' | 'trivial';

export const EPIC = 'Golden path';

/** One feature per spec, keyed by the tag its tests carry. */
export const FEATURES = {
  '@preflight': { feature: 'Preflight: services healthy, tokens verified', severity: 'blocker' },
  '@golden-path': { feature: 'Sign in, chat, and see the five agent events', severity: 'blocker' },
  '@auth': { feature: 'The agent socket refuses unauthenticated access', severity: 'critical' },
  '@isolation': { feature: "A user never sees another user's run", severity: 'critical' },
  '@resilience': { feature: 'The chat recovers from a dropped socket', severity: 'normal' },
} as const satisfies Record<string, { feature: string; severity: Severity }>;

export type FeatureTag = keyof typeof FEATURES;

export const FEATURE_TAGS = Object.keys(FEATURES) as FeatureTag[];

export interface TestIdentity {
  /** The spec file (absolute or relative). */
  file: string;
  tags: readonly string[];
  /** The test's title path; its last element is the test's own title. */
  titlePath: readonly string[];
  project?: string;
}

export interface ReportLabels {
  epic: string;
  feature: string;
  story: string;
  severity: Severity;
  /** The feature tag the labels came from, when one matched. */
  tag?: FeatureTag;
}

const isFeatureTag = (tag: string): tag is FeatureTag => tag in FEATURES;

/** The feature tag of a test: its own tags first, then its spec file's name, then its project. */
export function featureTagOf(test: Pick<TestIdentity, 'file' | 'tags' | 'project'>): FeatureTag | undefined {
  const tagged = test.tags.find(isFeatureTag);
  if (tagged) return tagged;
  const stem = `@${path.basename(test.file).replace(/\.(spec|setup|test)\.[cm]?[jt]s$/, '')}`;
  if (isFeatureTag(stem)) return stem;
  const project = `@${test.project ?? ''}`;
  return isFeatureTag(project) ? project : undefined;
}

const withoutTags = (title: string) =>
  title
    .replace(/(^|\s)@[\w-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

export function reportLabels(test: TestIdentity): ReportLabels {
  const tag = featureTagOf(test);
  const story = withoutTags(test.titlePath.at(-1) ?? '') || path.basename(test.file);
  if (tag) return { epic: EPIC, ...FEATURES[tag], story, tag };
  const stem = path.basename(test.file).replace(/\.[cm]?[jt]s$/, '');
  return { epic: EPIC, feature: stem, story, severity: 'normal' };
}
