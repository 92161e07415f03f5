import { wireCheckoutApi } from './wiring';

export const handler = wireCheckoutApi(process.env);
