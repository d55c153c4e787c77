import type { LambdafitConfig } from '../config/config-schema.js';
import type { LimitCheck } from '../limits/measure-limits.js';
import type { CheckedPlan, CheckItem, VerificationSummary } from './check-report.js';

/** What {@link buildCheckItems} turns into checks. */
export interface CheckItemsInput {
  /** The input (absolute). */
  bundle: string;
  /** lambdafit.json, when one was read: budget failures point at it. */
  configPath?: string;
  /** The plan file, when one was applied. */
  plan?: CheckedPlan & { missing: string[] };
  /** Limits measured after the rules or the plan. */
  limits: readonly LimitCheck[];
  /** Function package zip size and unzipped code + layers, after the rules or the plan. */
  sizes: { zippedBytes: number; unzippedBytes: number };
  budgets: NonNullable<LambdafitConfig['budgets']>;
  verification: VerificationSummary;
}

const BYTES = (n: number) => `${n.toLocaleString('en-US')} B`;
const MS = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
const MB = (n: number) => `${Math.round(n).toLocaleString('en-US')} MB`;

function limitItem(l: LimitCheck, bundle: string): CheckItem {
  const unit = l.unit === 'bytes' ? '' : l.unit === 'count' ? '' : l.unit === 'seconds' ? ' s' : ` ${l.unit}`;
  const show = (n: number) => (l.unit === 'bytes' ? BYTES(n) : `${n.toLocaleString('en-US')}${unit}`);
  const range = l.min !== undefined ? `allowed ${show(l.min)}–${show(l.limit)}` : l.comparison === 'lt' ? `must be below ${show(l.limit)}` : `limit ${show(l.limit)}`;
  const headroom = l.unit === 'bytes' && l.fits ? `, headroom ${BYTES(l.headroom)}` : '';
  const item: CheckItem = {
    id: `limit:${l.id}`,
    name: l.description,
    category: 'limit',
    status: l.fits ? 'pass' : 'fail',
    unit: l.unit,
    used: l.used,
    limit: l.limit,
    headroom: l.headroom,
    message: `${show(l.used)}${l.assumedDefault ? " (Lambda's default)" : ''}; ${range}${headroom}${l.fits ? '' : l.unit === 'bytes' ? `: over by ${BYTES(l.used - l.limit + (l.comparison === 'lt' ? 1 : 0))}` : ': out of range'}.`,
    file: bundle,
  };
  if (!l.fits && l.message) item.awsError = l.message;
  return item;
}

function budgetItem(
  id: string,
  name: string,
  unit: 'bytes' | 'ms' | 'MB',
  budget: number | undefined,
  measured: number | null | undefined,
  skipReason: string,
  file: string | undefined,
): CheckItem {
  const show = unit === 'bytes' ? BYTES : unit === 'ms' ? MS : MB;
  const base = { id: `budget:${id}`, name, category: 'budget' as const, unit, ...(file ? { file } : {}) };
  if (budget === undefined) return { ...base, status: 'skip', message: `No "${id}" budget in lambdafit.json.` };
  if (measured === undefined || measured === null) return { ...base, status: 'skip', budget, measured: null, message: `Budget ${show(budget)} not checked: ${skipReason}.` };
  const ok = measured <= budget;
  return {
    ...base,
    status: ok ? 'pass' : 'fail',
    budget,
    measured,
    message: ok ? `${show(measured)}, within the budget of ${show(budget)}.` : `${show(measured)}, over the budget of ${show(budget)} by ${show(measured - budget)}.`,
  };
}

/** The event file a failure names (the measurement's error starts with the event's name). */
function failingEvent(v: VerificationSummary): string | undefined {
  const m = v.measurement;
  if (!m) return undefined;
  const named = m.mismatches[0]?.event ?? v.events.find((e) => m.error?.startsWith(`${e}:`));
  return named && named !== '(empty event)' ? named : undefined;
}

/**
 * Every check of `lambdafit check`, in report order: the plan, the sandbox verification, the
 * target's limits, the size budgets, the runtime budgets (cold start = Init Duration of the cold
 * start, warm p50 = median warm Duration, max memory = largest Max Memory Used). Limits that do not
 * apply to the target are left out. Pure.
 */
export function buildCheckItems(input: CheckItemsInput): CheckItem[] {
  const items: CheckItem[] = [];
  const { verification: v, budgets, plan } = input;
  if (plan) {
    items.push({
      id: 'plan:input',
      name: 'plan made for this bundle',
      category: 'plan',
      status: plan.treeHashMatches ? 'pass' : 'fail',
      message: plan.treeHashMatches
        ? 'The plan was made for exactly this bundle (same tree hash).'
        : `The bundle changed since the plan was made${plan.missing.length ? ` (${plan.missing.length} planned path${plan.missing.length === 1 ? ' is' : 's are'} gone)` : ''}, so its verification does not cover it; run \`lambdafit fit --out ${plan.path}\` again and commit the new plan.`,
      file: plan.path,
      ...(plan.missing.length ? { details: plan.missing.slice(0, 20).map((p) => `not in the bundle: ${p}`) } : {}),
    });
  }
  const failed = v.status === 'failed';
  const verificationItem: CheckItem = {
    id: 'verification',
    name: 'works in the sandbox',
    category: 'verification',
    status: v.status === 'passed' ? 'pass' : failed ? 'fail' : 'skip',
    message:
      v.status === 'skipped'
        ? `Not run: ${v.reason}.`
        : failed
          ? `The function failed: ${v.measurement?.error ?? v.reason}.`
          : `Cold start and ${v.events.length} event${v.events.length === 1 ? '' : 's'} succeeded${v.comparedWithGolden ? ', answers match the plan’s recorded outputs' : ''}${v.cached ? ' (cached result)' : ''}.`,
  };
  const eventFile = failingEvent(v);
  if (failed) {
    const file = eventFile ?? plan?.path ?? input.bundle;
    verificationItem.file = file;
    const mismatches = v.measurement?.mismatches ?? [];
    const details = [...mismatches.map((m) => `${m.event} ${m.path}: expected ${m.expected}, got ${m.got}`), ...(v.logTail ?? []).map((l) => `log: ${l}`)];
    if (details.length > 0) verificationItem.details = details;
  }
  items.push(verificationItem);
  for (const l of input.limits) if (l.applies) items.push(limitItem(l, input.bundle));
  const file = input.configPath;
  items.push(budgetItem('zippedBytes', 'function zip size budget', 'bytes', budgets.zippedBytes, input.sizes.zippedBytes, '', file));
  items.push(budgetItem('unzippedBytes', 'unzipped code + layers budget', 'bytes', budgets.unzippedBytes, input.sizes.unzippedBytes, '', file));
  const m = v.measurement;
  const why = v.status === 'skipped' ? v.reason : 'the sandbox did not measure it';
  items.push(budgetItem('coldStartMs', 'cold start (Init Duration) budget', 'ms', budgets.coldStartMs, m?.initDurationMs, why, file));
  items.push(budgetItem('warmP50Ms', 'warm p50 Duration budget', 'ms', budgets.warmP50Ms, m?.warmDurationMs, why, file));
  items.push(budgetItem('maxMemoryMB', 'max memory used budget', 'MB', budgets.maxMemoryMB, m && m.invocations > 0 ? m.maxMemoryUsedMB : undefined, why, file));
  return items.filter((i) => !(i.category === 'budget' && i.budget === undefined));
}
