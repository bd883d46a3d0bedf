import { UnrecoverableError } from 'bullmq';
import { SibylError } from '../../src/errors.js';
import type { GateResult, Interval, ModelDoc, ModelStatus } from '../../src/domain/model-doc.js';
import { decideNotWorse, decidePromotion, type GateInput } from '../../models/registry/gate.js';
import { servesExperimentsOnly } from '../../src/feed/rankers/rankers.js';
import type { ModelRef, PipelineContext, Progress } from './context.js';
import { evaluateCandidate, isBaselineLine } from './evaluate-step.js';

export interface PromoteResult {
  version: string;
  status: ModelStatus;
  decision: GateResult['decision'];
  reason: string;
  /** Absent when an operator decided (promoted the candidate by hand) before the gate ran. */
  gate?: GateResult;
  /** True when the decision had been taken before this call. */
  reused: boolean;
}

/** The conflict registry.promote reports when the active model is not the one the gate compared with. */
const isActiveChange = (details: unknown) =>
  typeof details === 'object' && details !== null && 'expected' in details;

/**
 * Applies the promotion gate to an evaluated candidate: promotes it (publishing the change) or
 * rejects it with the reason, by its kind's rule (`lead` for the default ranker's kind, `not-worse`
 * for kinds served to experiment arms only; models/registry/gate.ts). A failed model is rejected and
 * stays `failed`. If the active model of its kind changed since the evaluation, the candidate is
 * evaluated again first.
 */
export async function promoteCandidate(
  ctx: PipelineContext,
  ref: ModelRef,
  onProgress?: Progress,
): Promise<PromoteResult> {
  try {
    for (let round = 0; ; round++) {
      const doc = await ctx.resolve(ref);
      // Decided already: by an earlier attempt, or by an operator (promoted or rolled back by hand).
      if (doc.status !== 'candidate' && (doc.gate || doc.status !== 'failed')) return decided(doc, true);
      if (doc.status === 'failed') {
        const gate = decidePromotion(
          { candidateError: doc.error ?? 'training failed', baselines: {} },
          ctx.settings.gate,
        );
        await ctx.deps.registry.update(doc.version, { gate, decidedAt: ctx.now() });
        return decided({ ...doc, gate }, false);
      }
      if (!doc.metrics?.candidate) {
        throw new UnrecoverableError(`model ${doc.version} has not been evaluated: run evaluate first`);
      }
      const active = await ctx.deps.registry.activeModel(doc.kind);
      if (active?.version !== doc.comparedWith?.version) {
        if (round >= 2) throw new Error('the active model keeps changing; try again later');
        await evaluateCandidate(ctx, { version: doc.version }, onProgress, { force: true });
        continue;
      }
      // The default ranker's kind must lead; a kind served to experiment arms only must not be worse.
      const rule = servesExperimentsOnly(doc.kind) ? decideNotWorse : decidePromotion;
      const gate = rule(gateInput(doc), ctx.settings.gate);
      const decidedAt = ctx.now();
      if (gate.decision === 'reject') {
        const updated = await ctx.deps.registry.update(
          doc.version,
          { status: 'rejected', gate, decidedAt },
          { status: 'candidate' },
        );
        if (!updated) continue; // Promoted by hand meanwhile: report that.
        ctx.deps.logger.info({ version: doc.version, reason: gate.reason }, 'candidate rejected');
        await ctx.deps.registry.pruneArtifactsQuietly();
        return decided({ ...doc, status: 'rejected', gate }, false);
      }
      try {
        const promoted = await ctx.deps.registry.promote(doc.version, {
          reason: `gate: ${gate.reason}`,
          from: ['candidate'],
          ifActive: doc.comparedWith?.version ?? null,
          set: { gate, decidedAt },
        });
        ctx.deps.logger.info({ version: doc.version, reason: gate.reason }, 'candidate promoted');
        return decided(promoted, false);
      } catch (err) {
        // The active model changed between the check and the promotion: evaluate again.
        const raced = err instanceof SibylError && err.code === 'conflict' && isActiveChange(err.details);
        if (raced && round < 2) continue;
        throw err;
      }
    }
  } finally {
    ctx.cached = undefined;
  }
}

/**
 * What the gate judges, from the evaluation stored on the candidate: the subject line (the default
 * served ranker with the candidate, or the bare candidate) against the same line with the active
 * model and against every baseline, with the paired differences (evaluate-step.ts).
 */
function gateInput(doc: ModelDoc): GateInput {
  const metrics = doc.metrics ?? {};
  const c = doc.comparisons;
  const subject = c?.subject ?? 'candidate';
  // Evaluations from before the comparisons were stored compared the bare models.
  const activeLine = c ? c.active?.line : 'active';
  const baselines = Object.fromEntries(Object.entries(metrics).filter(([name]) => isBaselineLine(name)));
  const interval = (d: Interval | undefined) => (d ? { mean: d.mean, low: d.low, high: d.high } : undefined);
  const vsActive = interval(c?.active);
  const vsBaseline = interval(c?.baseline);
  return {
    ...(metrics[subject] ? { candidate: metrics[subject] } : {}),
    ...(doc.comparedWith
      ? {
          active: {
            version: doc.comparedWith.version,
            ...(activeLine && metrics[activeLine] ? { metrics: metrics[activeLine] } : {}),
            ...(doc.comparedWith.error !== undefined ? { error: doc.comparedWith.error } : {}),
            ...(vsActive ? { difference: vsActive } : {}),
          },
        }
      : {}),
    baselines,
    ...(vsBaseline && c?.baseline ? { differences: { [c.baseline.line]: vsBaseline } } : {}),
    ...(c ? { users: c.users } : {}),
  };
}

function decided(doc: ModelDoc, reused: boolean): PromoteResult {
  const gate = doc.gate;
  return {
    version: doc.version,
    status: doc.status,
    decision: gate?.decision ?? (doc.status === 'active' ? 'promote' : 'reject'),
    reason: gate?.reason ?? `${doc.status} outside the gate (${doc.promotionReason ?? 'by hand'})`,
    ...(gate ? { gate } : {}),
    reused,
  };
}
