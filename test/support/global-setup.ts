import { warmContractValidators } from '../../dev/stripe-stand-in/contract/schema-validator';

/**
 * Compiles the stand-in's contract validators once, before the workers start: compiling takes seconds and
 * would otherwise land inside the first timed-out test of every worker that reaches the stand-in first.
 */
export default function globalSetup(): void {
  warmContractValidators();
}
