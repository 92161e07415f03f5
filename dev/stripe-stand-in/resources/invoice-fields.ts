/**
 * Invoice fields the stand-in does not model, with the values Stripe gives a subscription's renewal invoice
 * that has no tax, discounts, shipping or credit notes (`Invoice` in Invoices.d.ts declares each required).
 * Lines are not modelled: the list is empty.
 */
export function unmodelledInvoiceFields(invoice: {
  id: string;
  created: number;
  customerEmail: string | null;
  customerName: string | null;
}) {
  return {
    account_country: 'US',
    account_name: 'Stand-in account',
    account_tax_ids: null,
    amount_overpaid: 0,
    amount_shipping: 0,
    application: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    collection_method: 'charge_automatically',
    custom_fields: null,
    customer_account: null,
    customer_address: null,
    customer_email: invoice.customerEmail,
    customer_name: invoice.customerName,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    default_source: null,
    default_tax_rates: [] as never[],
    description: null,
    discounts: [] as never[],
    due_date: null,
    effective_at: invoice.created,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: [] as never[], has_more: false, url: `/v1/invoices/${invoice.id}/lines` },
    number: null,
    on_behalf_of: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    subtotal_excluding_tax: null,
    total_discount_amounts: null,
    total_excluding_tax: null,
    total_pretax_credit_amounts: null,
    total_taxes: null,
    webhooks_delivered_at: invoice.created,
  } as const;
}

export type UnmodelledInvoiceFields = ReturnType<typeof unmodelledInvoiceFields>;
