import { wireStripeWebhook } from './wiring';

export const handler = wireStripeWebhook(process.env);
