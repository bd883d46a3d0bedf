import {
  GrowthBookClient,
  type StickyBucketService,
  type TrackingCallbackWithUser,
  type UserContext,
} from '@growthbook/growthbook';
import { DEFAULT_RANKER } from '../../feed/rankers/rankers.js';
import { RANKER_FEATURE } from '../definitions/ranker-feature.js';
import { validatePayload, type DefinitionsPayload } from '../definitions/validate.js';
import type { RankerAssignment, RankerChoice } from '../../feed/rankers/ranker-assignment.js';

export interface RankerAssignerOptions {
  /** Definitions to start with; validated like any later `setPayload`. */
  payload: unknown;
  /** Where the payload came from, named in validation errors. @defaultValue `'payload'` */
  source?: string;
  /** Called by the SDK for every evaluation that puts a user in an experiment. */
  trackingCallback?: TrackingCallbackWithUser;
  /**
   * Keeps each user in the variation they first got even when weights or coverage change later
   * (GrowthBook sticky bucketing); without it, assignment is a pure function of the hash.
   */
  stickyBuckets?: StickyBucketService;
}

/**
 * Chooses the ranker for each request with GrowthBook's multi-user SDK: one client holds the
 * definitions for the process, and each request evaluates `feed-ranker` in a scoped instance.
 */
export class RankerAssigner implements RankerAssignment {
  private readonly client: GrowthBookClient;
  private readonly sticky?: StickyBucketService;

  constructor(options: RankerAssignerOptions) {
    this.sticky = options.stickyBuckets;
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

  /** The user's ranker from the hash alone (sticky buckets, if configured, are not consulted). */
  assign(userId: string, attributes: Record<string, unknown> = {}): RankerChoice {
    return this.evaluate({ attributes: { ...attributes, id: userId } });
  }

  /** The user's ranker, honouring and recording sticky buckets when a service is configured. */
  async assignSticky(userId: string, attributes: Record<string, unknown> = {}): Promise<RankerChoice> {
    const context: UserContext = { attributes: { ...attributes, id: userId } };
    return this.evaluate(this.sticky ? await this.client.applyStickyBuckets(context, this.sticky) : context);
  }

  private evaluate(context: UserContext): RankerChoice {
    const user = this.client.createScopedInstance(context);
    const result = user.evalFeature<string>(RANKER_FEATURE);
    // Validation keeps unknown rankers out; a missing feature falls back to the default ranker.
    const ranker = typeof result.value === 'string' ? result.value : DEFAULT_RANKER;
    const { experiment, experimentResult } = result;
    if (result.source !== 'experiment' || !experiment || !experimentResult?.inExperiment)
      return { ranker, experiment: null };
    return { ranker, experiment: { key: experiment.key, variation: experimentResult.key } };
  }
}
