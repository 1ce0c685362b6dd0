import * as contract from '@fawtara/contract';

/** A JSON Schema as it goes into the document: plain JSON, no TypeBox symbols. */
export type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

/** Keywords whose values are data, not schemas: never replaced by a reference. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example', 'required']);

/**
 * Names for schemas, so the document gets `components.schemas` and code generators get named
 * types instead of one anonymous copy per use. Every schema the contract exports is named after
 * its export (what the SDK calls it too); a schema is recognised by identity, so a property that
 * is the contract's `TransactionObject` becomes a reference to it wherever it appears. Only
 * components some operation reaches are emitted: an unused one would only be noise.
 * `named` adds schemas of the server's own, by name.
 */
export function createSchemaRegistry(named: Record<string, object> = {}) {
  const names = new Map<object, string>();
  const byName = new Map<string, object>();
  const examples = new Map<string, unknown[]>();
  const used = new Set<string>();

  function name(schema: object, componentName: string): void {
    const taken = byName.get(componentName);
    if (taken !== undefined && taken !== schema) throw new Error(`Two schemas named ${componentName} in the OpenAPI document`);
    if (names.has(schema)) return;
    names.set(schema, componentName);
    byName.set(componentName, schema);
  }

  for (const [exportName, value] of Object.entries(contract)) {
    if (isTypeBoxSchema(value)) name(value, exportName.replace(/(?<=.)Schema$/, ''));
  }
  for (const [componentName, schema] of Object.entries(named)) name(schema, componentName);

  function refTo(componentName: string): JsonSchema {
    used.add(componentName);
    return { $ref: `${COMPONENTS}${componentName}` };
  }

  function convert(value: unknown, root = false): unknown {
    if (Array.isArray(value)) return value.map((v) => convert(v));
    if (value === null || typeof value !== 'object') return value;
    const named = root ? undefined : names.get(value);
    if (named !== undefined) return refTo(named);
    const out: JsonSchema = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = DATA_KEYWORDS.has(key) ? structuredClone(v) : convert(v);
    }
    return simplify(out);
  }

  return {
    /** Names a schema (one built for the document, e.g. an operation's reply) unless it has a name already. */
    name,
    /** A reference to the schema's component; an unnamed one is named `fallbackName`. */
    ref(schema: object, fallbackName: string): JsonSchema {
      name(schema, fallbackName);
      return refTo(names.get(schema)!);
    },
    /** The schema as document JSON, its named parts (not itself) as references. */
    inline(schema: object): JsonSchema {
      return convert(schema, true) as JsonSchema;
    },
    /** Adds an example (validated against the schema by the document's linter). */
    example(schema: object, fallbackName: string, value: unknown): void {
      name(schema, fallbackName);
      const componentName = names.get(schema)!;
      examples.set(componentName, [...(examples.get(componentName) ?? []), value]);
    },
    /** The `components.schemas` of every schema referenced so far, and of those they reference. */
    components(): Record<string, JsonSchema> {
      const out: Record<string, JsonSchema> = {};
      for (let pending = [...used]; pending.length > 0; pending = [...used].filter((n) => !(n in out))) {
        for (const componentName of pending) {
          const schema = convert(byName.get(componentName), true) as JsonSchema;
          const extra = examples.get(componentName);
          if (extra) schema.examples = [...((schema.examples as unknown[] | undefined) ?? []), ...extra];
          out[componentName] = schema;
        }
      }
      return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
    },
  };
}

/** TypeBox marks its schemas with a non-enumerable `~kind`; the contract's other exports are limits and patterns. */
function isTypeBoxSchema(value: unknown): value is object {
  return typeof value === 'object' && value !== null && '~kind' in value;
}

export type SchemaRegistry = ReturnType<typeof createSchemaRegistry>;

/**
 * Two TypeBox spellings that code generators read badly, rewritten to their JSON Schema
 * equivalents:
 * - a union of one schema is how the contract attaches a description to a shared schema; in
 *   JSON Schema 2020-12 that is the schema itself (or a `$ref`) with the description beside it;
 * - `Type.Record(Type.String(), …)` is `patternProperties: {"^.*$": …}`, which is what
 *   `additionalProperties` says and what generators turn into a map type.
 */
function simplify(schema: JsonSchema): JsonSchema {
  let out = schema;
  for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
    const members = out[keyword];
    if (!Array.isArray(members) || members.length !== 1) continue;
    const member = members[0] as JsonSchema;
    const { [keyword]: _members, ...rest } = out;
    if (Object.keys(member).some((key) => key in rest && key !== 'description')) continue;
    out = { ...member, ...rest };
  }
  const patterns = out.patternProperties as Record<string, unknown> | undefined;
  if (patterns && Object.keys(patterns).length === 1 && '^.*$' in patterns && out.additionalProperties === undefined) {
    const { patternProperties: _patterns, ...rest } = out;
    out = { ...rest, additionalProperties: patterns['^.*$'] };
  }
  return out;
}
