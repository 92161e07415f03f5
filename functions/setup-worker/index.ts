import { wireSetupWorker } from './wiring';

export const handler = wireSetupWorker(process.env);
