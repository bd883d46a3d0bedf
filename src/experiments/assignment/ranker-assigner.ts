import { GrowthBookClient, type TrackingCallbackWithUser } from '@growthbook/growthbook';
import { DEFAULT_RANKER } from '../../feed/rankers.js';
import { RANKER_FEATURE } from '../definitions/ranker-feature.js';
import { validatePayload, type DefinitionsPayload } from '../definitions/validate.js';
import type { RankerAssignment, RankerChoice } from '../ranker-assignment.js';

export interface RankerAssignerOptions {
  /** Definitions to start with; validated like any later `setPayload`. */
  payload: unknown;
  /** Where the payload came from, named in validation errors. @defaultValue `'payload'` */
  source?: string;
  /** Called by the SDK for every evaluation that puts a user in an experiment. */
  trackingCallback?: TrackingCallbackWithUser;
}

/**
 * Chooses the ranker for each request with GrowthBook's multi-user SDK: one client holds the
 * definitions for the process, and each request evaluates `feed-ranker` in a scoped instance.
 */
export class RankerAssigner implements RankerAssignment {
  private readonly client: GrowthBookClient;

  constructor(options: RankerAssignerOptions) {
    const { payload } = validatePayload(options.payload, options.source ?? 'payload');
    this.client = new GrowthBookClient(
      options.trackingCallback ? { trackingCallback: options.trackingCallback } : {},
    ).initSync({ payload });
  }

  /**
   * Replaces the definitions without a restart. Throws a `DefinitionError` (keeping the current
   * definitions) when the new ones are invalid, so a bad edit or server response is never served.
   */
  async setPayload(payload: unknown, source = 'payload'): Promise<void> {
    await this.client.setPayload(validatePayload(payload, source).payload);
  }

  definitions(): DefinitionsPayload {
    return this.client.getPayload() as DefinitionsPayload;
  }

  assign(userId: string, attributes: Record<string, unknown> = {}): RankerChoice {
    const user = this.client.createScopedInstance({ attributes: { ...attributes, id: userId } });
    const result = user.evalFeature<string>(RANKER_FEATURE);
    // Validation keeps unknown rankers out; a missing feature falls back to the default ranker.
    const ranker = typeof result.value === 'string' ? result.value : DEFAULT_RANKER;
    const { experiment, experimentResult } = result;
    if (result.source !== 'experiment' || !experiment || !experimentResult?.inExperiment)
      return { ranker, experiment: null };
    return { ranker, experiment: { key: experiment.key, variation: experimentResult.key } };
  }
}
