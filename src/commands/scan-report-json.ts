import type { BundleAnalysis } from '../core/analyze/analyze-bundle.js';
import { duplicateSavings } from '../core/analyze/summarize-tree.js';

/** The documented `lambdafit scan --json` document. Pure. */
export function scanReportJson(a: BundleAnalysis) {
  const tree = (t: BundleAnalysis['index']['code']) => ({
    path: t.source,
    type: t.sourceType,
    files: t.files.length,
    unzippedBytes: t.unzippedBytes,
    zippedBytes: t.zippedBytes,
  });
  return {
    bundle: { ...tree(a.index.code), layers: a.index.layers.map(tree) },
    target: a.target,
    arch: a.arch,
    fits: a.fits,
    limits: a.limits.map((l) => ({
      id: l.id,
      description: l.description,
      applies: l.applies,
      unit: l.unit,
      limit: l.limit,
      used: l.used,
      ...(l.limitBytes !== undefined ? { limitBytes: l.limitBytes, usedBytes: l.usedBytes } : {}),
      headroom: l.headroom,
      fits: l.fits,
      ...(l.message ? { message: l.message, messageSource: l.messageSource } : {}),
      ...(l.assumedDefault ? { assumedDefault: true } : {}),
    })),
    ruleSets: a.ruleSets,
    candidates: a.candidates.map((c) => ({
      ruleId: c.ruleId,
      ruleSet: c.ruleSet,
      risk: c.risk,
      description: c.description,
      explanation: c.explanation,
      files: c.files.length,
      bytes: c.bytes,
      zippedBytes: c.zippedBytes,
      items: c.files.map((f) => ({ path: f.path, bytes: f.bytes, reason: f.reason })),
    })),
    packages: a.packages,
    kinds: a.kinds,
    binaries: a.binaries,
    models: a.index.code.files.filter((f) => f.model).map((f) => ({ path: f.path, bytes: f.bytes, ...f.model })),
    duplicates: a.duplicates,
    duplicateBytes: duplicateSavings(a.duplicates),
    warnings: a.warnings,
  };
}
