/**
 * Checkout Session fields the stand-in does not model, with the values Stripe gives a setup-mode session
 * created without the options that fill them (`Session` in Checkout/Sessions.d.ts declares each required).
 */
export function unmodelledSessionFields() {
  return {
    adaptive_pricing: null,
    after_expiration: null,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    collected_information: null,
    consent: null,
    consent_collection: null,
    currency_conversion: null,
    custom_fields: [] as never[],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer_account: null,
    customer_creation: null,
    discounts: null,
    integration_identifier: null,
    invoice_creation: null,
    managed_payments: null,
    origin_context: null,
    payment_method_options: null,
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [] as never[],
    submit_type: null,
    total_details: null,
    wallet_options: null,
  } as const;
}

export type UnmodelledSessionFields = ReturnType<typeof unmodelledSessionFields>;
