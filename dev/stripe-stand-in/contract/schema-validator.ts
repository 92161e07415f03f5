import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { formDecodedSchema } from './form-decoded';
import type { StandInContract } from './sdk-types';

/** A name in the generated contract: one request's parameters or one answer's shape, as the SDK declares it. */
export type ContractName = keyof StandInContract;

interface StripeSchemas {
  contract: Record<string, object>;
  definitions: Record<string, object>;
}

const SCHEMAS_FILE = path.join(__dirname, 'stripe-schemas.json');
const CACHE_DIR = path.join(__dirname, '..', '..', '..', 'node_modules', '.cache', 'stripe-stand-in');
const AJV_VERSION: string = require('ajv/package.json').version;

type Validators = Record<string, ValidateFunction>;

/**
 * `strict: false`: the generator writes `type: [...]` unions that strict mode rejects. `inlineRefs: false`:
 * each definition is compiled once, not copied into every place that refers to it. `allErrors`: a broken
 * answer is reported whole.
 */
const AJV_OPTIONS = { strict: false, allErrors: true, inlineRefs: false, code: { source: true } } as const;

/**
 * Compiles every contract's validator from `stripe-schemas.json` (generated from the pinned SDK's
 * declarations by `npm run stripe-schemas`). Requests are checked against the form-decoded params schema
 * (`form-decoded.ts`); answers against the declarations as they are (nullable `T | null`, expandable
 * `string | T`). Keys are `request:<name>` and `answer:<name>`.
 */
function compileValidators(schemas: StripeSchemas): { ajv: Ajv; refs: Record<string, string> } {
  const ajv = new Ajv(AJV_OPTIONS);
  ajv.addSchema({ $id: 'answer', contract: schemas.contract, definitions: schemas.definitions });
  ajv.addSchema({
    $id: 'request',
    contract: formDecodedSchema(schemas.contract),
    definitions: formDecodedSchema(schemas.definitions),
  });
  const refs: Record<string, string> = {};
  for (const name of Object.keys(schemas.contract)) {
    refs[`request_${name}`] = `request#/contract/${name}`;
    refs[`answer_${name}`] = `answer#/contract/${name}`;
  }
  return { ajv, refs };
}

/**
 * Compiling takes seconds, too long for every test file, so the compiled code (ajv's standalone output) is
 * kept in node_modules/.cache under a hash of the schemas and the ajv version, and only loaded after that.
 */
function loadValidators(): Validators {
  const text = readFileSync(SCHEMAS_FILE, 'utf8');
  const key = createHash('sha256')
    .update(text)
    .update(AJV_VERSION)
    .update(JSON.stringify(AJV_OPTIONS))
    .digest('hex')
    .slice(0, 16);
  const cached = path.join(CACHE_DIR, `validators-${key}.js`);
  try {
    return require(cached) as Validators;
  } catch {
    const { ajv, refs } = compileValidators(JSON.parse(text) as StripeSchemas);
    const source = standaloneCode(ajv, refs);
    mkdirSync(CACHE_DIR, { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    writeFileSync(temporary, source);
    renameSync(temporary, cached);
    return require(cached) as Validators;
  }
}

let validators: Validators | undefined;

/** Compiles (or loads) every validator now, e.g. before test workers start (jest `globalSetup`). */
export function warmContractValidators(): void {
  validators ??= loadValidators();
}

function validator(document: 'request' | 'answer', name: ContractName): ValidateFunction {
  validators ??= loadValidators();
  const validate = validators[`${document}_${name}`];
  if (validate === undefined) throw new Error(`No generated schema for ${name}: run npm run stripe-schemas`);
  return validate;
}

/** `undefined` when `params` are what the SDK declares for `name`, else ajv's errors. */
export function requestErrors(name: ContractName, params: unknown): ErrorObject[] | undefined {
  const validate = validator('request', name);
  return validate(params) ? undefined : (validate.errors ?? []);
}

/** `undefined` when `body` is what the SDK declares for `name`, else ajv's errors. */
export function answerErrors(name: ContractName, body: unknown): ErrorObject[] | undefined {
  const validate = validator('answer', name);
  return validate(body) ? undefined : (validate.errors ?? []);
}
