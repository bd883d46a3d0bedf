/**
 * Checks GrowthBook targeting conditions (a MongoDB-like syntax over user attributes) before the SDK
 * sees them: the SDK never throws on a bad condition, it just matches nobody (or everybody), so a typo
 * would silently change who is in an experiment.
 */

/** A problem at `path`, relative to the condition, e.g. `country.$regex`. */
export interface ConditionIssue {
  path: string;
  message: string;
}

type Check = (operand: unknown, path: string) => ConditionIssue[];

const VAR_TYPES = ['string', 'number', 'boolean', 'array', 'object', 'null', 'undefined'];

const ok: ConditionIssue[] = [];

const expect =
  (test: (operand: unknown) => boolean, what: string): Check =>
  (operand, path) =>
    test(operand) ? ok : [{ path, message: `expects ${what}, got ${describe(operand)}` }];

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isScalar = (v: unknown) => isString(v) || isNumber(v);
const scalarList = expect((v) => Array.isArray(v) && v.every(isScalar), 'an array of strings or numbers');

const regex: Check = (operand, path) => {
  if (!isString(operand)) return expect(isString, 'a regular expression string')(operand, path);
  try {
    // The SDK escapes unescaped slashes the same way before compiling.
    new RegExp(operand.replace(/([^\\])\//g, '$1\\/'));
    return ok;
  } catch (err) {
    return [{ path, message: `invalid regular expression: ${(err as Error).message}` }];
  }
};

const valueList: Check = (operand, path) =>
  Array.isArray(operand)
    ? operand.flatMap((item, i) => checkValue(item, `${path}[${i}]`))
    : expect(() => false, 'an array')(operand, path);

/** Operators that apply to one attribute's value, with the operand each accepts. */
const VALUE_OPERATORS: Record<string, Check> = {
  $eq: expect(
    (v) => isScalar(v) || typeof v === 'boolean' || v === null,
    'a string, number, boolean or null',
  ),
  $ne: expect(
    (v) => isScalar(v) || typeof v === 'boolean' || v === null,
    'a string, number, boolean or null',
  ),
  $lt: expect(isScalar, 'a string or number'),
  $lte: expect(isScalar, 'a string or number'),
  $gt: expect(isScalar, 'a string or number'),
  $gte: expect(isScalar, 'a string or number'),
  $veq: expect(isString, 'a version string'),
  $vne: expect(isString, 'a version string'),
  $vgt: expect(isString, 'a version string'),
  $vgte: expect(isString, 'a version string'),
  $vlt: expect(isString, 'a version string'),
  $vlte: expect(isString, 'a version string'),
  $regex: regex,
  $regexi: regex,
  $in: scalarList,
  $nin: scalarList,
  $ini: scalarList,
  $nini: scalarList,
  $all: valueList,
  $alli: valueList,
  $exists: expect((v) => typeof v === 'boolean', 'true or false'),
  $type: expect((v) => isString(v) && VAR_TYPES.includes(v), `one of ${VAR_TYPES.join(', ')}`),
  $size: (operand, path) => (isNumber(operand) ? ok : checkValue(operand, path)),
  $not: (operand, path) => checkValue(operand, path),
  $elemMatch: (operand, path) =>
    isOperatorObject(operand) ? checkValue(operand, path) : checkCondition(operand, path),
  $inGroup: expect((v) => isString(v) && v !== '', 'a saved group id'),
  $notInGroup: expect((v) => isString(v) && v !== '', 'a saved group id'),
};

const conditionList: Check = (operand, path) =>
  Array.isArray(operand)
    ? operand.flatMap((item, i) => checkCondition(item, `${path}[${i}]`))
    : [{ path, message: `expects an array of conditions, got ${describe(operand)}` }];

/** Operators that combine whole conditions; everything else at this level names an attribute. */
const LOGICAL_OPERATORS: Record<string, Check> = {
  $and: conditionList,
  $or: conditionList,
  $nor: conditionList,
  $not: (operand, path) => checkCondition(operand, path),
  $savedGroup: (operand, path) => {
    const ref = operand as { id?: unknown; attributeKey?: unknown } | null;
    const valid =
      isPlainObject(operand) &&
      isString(ref?.id) &&
      Object.keys(operand).every((k) => k === 'id' || k === 'attributeKey') &&
      (ref?.attributeKey === undefined || isString(ref.attributeKey));
    return valid ? ok : [{ path, message: 'expects { "id": string, "attributeKey"?: string }' }];
  },
};

/** Every problem in a condition such as `{ "country": { "$in": ["US", "CA"] }, "$or": [...] }`. */
export function checkCondition(condition: unknown, path = ''): ConditionIssue[] {
  if (!isPlainObject(condition))
    return [{ path, message: `a condition is an object, got ${describe(condition)}` }];
  return Object.entries(condition).flatMap(([key, operand]) => {
    const at = join(path, key);
    if (!key.startsWith('$')) return checkValue(operand, at);
    const check = LOGICAL_OPERATORS[key];
    if (check) return check(operand, at);
    const hint = Object.hasOwn(VALUE_OPERATORS, key) ? ' here; it applies to an attribute' : '';
    return [{ path: at, message: `unknown operator "${key}"${hint}` }];
  });
}

/** What an attribute is compared with: a literal (equality) or an object of operators. */
function checkValue(value: unknown, path: string): ConditionIssue[] {
  if (!isPlainObject(value)) return ok;
  const keys = Object.keys(value);
  const operators = keys.filter((k) => k.startsWith('$'));
  // An object without operators is a literal the attribute must deep-equal.
  if (!operators.length) return ok;
  if (operators.length !== keys.length)
    return [
      {
        path,
        message: `mixes operators and fields (${keys.join(', ')}); the SDK would compare it as a literal`,
      },
    ];
  return Object.entries(value).flatMap(([op, operand]) => {
    const at = join(path, op);
    const check = VALUE_OPERATORS[op];
    return check ? check(operand, at) : [{ path: at, message: `unknown operator "${op}"` }];
  });
}

function isOperatorObject(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value}"` : typeof value === 'object' ? 'an object' : String(value);
}
