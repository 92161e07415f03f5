/*
 * Oracle: the SDK's form encoder (`stringifyRequestData` in node_modules/stripe/cjs/utils.js) sends every
 * scalar as a string and `null` as ''; the params schema of a declaration must accept exactly that.
 */
import Ajv from 'ajv';
import { formDecodedSchema } from '../../dev/stripe-stand-in/contract/form-decoded';

const ajv = new Ajv({ strict: false });
const accepts = (schema: object, value: unknown): boolean =>
  ajv.validate(formDecodedSchema(schema) as object, value);

describe('params schemas read as the decoded form', () => {
  it('takes numbers as numeric strings only', () => {
    expect(accepts({ type: 'number' }, '42')).toBe(true);
    expect(accepts({ type: 'number' }, '-1.5')).toBe(true);
    expect(accepts({ type: 'number' }, 'ten')).toBe(false);
    expect(accepts({ type: 'number' }, 42)).toBe(false);
  });

  it('takes booleans as "true" or "false", and null as the empty string', () => {
    expect(accepts({ type: 'boolean' }, 'true')).toBe(true);
    expect(accepts({ type: 'boolean' }, 'yes')).toBe(false);
    expect(accepts({ type: ['number', 'null'] }, '')).toBe(true);
    expect(accepts({ anyOf: [{ type: 'null' }, { const: '' }, { type: 'object' }] }, '')).toBe(true);
  });

  it('turns number and boolean constants and enums into their strings, nested anywhere', () => {
    const schema = {
      type: 'object',
      properties: {
        quantity: { const: 1 },
        on: { enum: [true, null, ''] },
        items: { type: 'array', items: { type: 'integer' } },
      },
      additionalProperties: false,
    };
    expect(accepts(schema, { quantity: '1', on: 'true', items: ['1', '2'] })).toBe(true);
    expect(accepts(schema, { on: '' })).toBe(true);
    expect(accepts(schema, { quantity: '2' })).toBe(false);
    expect(accepts(schema, { extra: 'x' })).toBe(false);
  });
});
