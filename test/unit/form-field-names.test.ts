import { parseCreateSessionForm } from '../../functions/checkout-api/requests';

/*
 * application/x-www-form-urlencoded names are arbitrary strings (WHATWG URL Standard, "application/x-www-form-urlencoded
 * parsing"): a field called `constructor` or `__proto__` is just an unknown field, ignored like the form's
 * other extra fields (a submit button's name) — not reported as given twice because an object's prototype
 * already has that name.
 */
it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
  'a field named %s is an unknown field like any other, not one given more than once',
  (name) => {
    const body = Buffer.from(
      new URLSearchParams([
        [name, 'x'],
        ['customer', 'cus_a'],
      ]).toString(),
    );
    expect(parseCreateSessionForm(body)).toEqual({ customer: 'cus_a' });
  },
);

it('a field really given twice is still refused as such', () => {
  const body = Buffer.from('customer=cus_a&customer=cus_b');
  expect(() => parseCreateSessionForm(body)).toThrow(/customer is given more than once/);
});
