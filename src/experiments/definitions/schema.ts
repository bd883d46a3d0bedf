import { z } from 'zod';

/**
 * The shape of GrowthBook's SDK payload (`FeatureApiResponse`, `FeatureDefinition`, `FeatureRule` in
 * `@growthbook/growthbook`), field for field. Rules are strict so a misspelt field is reported rather
 * than silently ignored by the SDK. Values whose rules need context or better messages (weights,
 * coverage, namespace, conditions, ranker names) are only typed loosely here and checked in rules.ts.
 */

const variationRange = z.tuple([z.number(), z.number()]);

const variationMeta = z.strictObject({
  key: z.string().optional(),
  name: z.string().optional(),
  passthrough: z.boolean().optional(),
});

const filter = z.strictObject({
  attribute: z.string().optional(),
  seed: z.string(),
  hashVersion: z.number(),
  ranges: z.array(variationRange),
});

const parentCondition = z.strictObject({
  id: z.string(),
  condition: z.unknown(),
  gate: z.boolean().optional(),
});

export const featureRuleSchema = z.strictObject({
  id: z.string().optional(),
  condition: z.unknown().optional(),
  parentConditions: z.array(parentCondition).optional(),
  force: z.unknown().optional(),
  variations: z.array(z.unknown()).optional(),
  weights: z.array(z.number()).optional(),
  key: z.string().min(1).optional(),
  hashAttribute: z.string().min(1).optional(),
  fallbackAttribute: z.string().min(1).optional(),
  hashVersion: z.number().optional(),
  disableStickyBucketing: z.boolean().optional(),
  bucketVersion: z.number().int().optional(),
  minBucketVersion: z.number().int().optional(),
  range: variationRange.optional(),
  coverage: z.number().optional(),
  namespace: z.unknown().optional(),
  ranges: z.array(variationRange).optional(),
  meta: z.array(variationMeta).optional(),
  filters: z.array(filter).optional(),
  seed: z.string().optional(),
  name: z.string().optional(),
  phase: z.string().optional(),
  tracks: z.array(z.unknown()).optional(),
  contextualBanditRef: z.string().optional(),
  contextualVariations: z.array(z.unknown()).optional(),
});
export type FeatureRuleInput = z.infer<typeof featureRuleSchema>;

/** Rules are parsed one by one, so a broken rule does not hide the problems of the others. */
export const featureSchema = z.strictObject({
  defaultValue: z.unknown().optional(),
  rules: z.array(z.unknown()).optional(),
});

/** Loose at the top: a GrowthBook server adds fields (`status`, `dateUpdated`, …) the SDK ignores. */
export const payloadSchema = z.looseObject({
  features: z.record(z.string().min(1), z.unknown()),
  savedGroups: z.record(z.string(), z.unknown()).optional(),
  encryptedFeatures: z
    .undefined({ error: 'encrypted payloads are not supported; turn encryption off for this SDK key' })
    .optional(),
});
