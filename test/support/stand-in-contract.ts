/**
 * Runs after every test file (jest `setupFilesAfterEnv`): fails the file when the Stripe stand-in answered
 * anything the pinned SDK's declarations do not allow (dev/stripe-stand-in/contract/answer-check.ts). The
 * stand-in already answered those requests 500; this makes sure no retry or lenient client hides one.
 */
import { takeContractViolations } from '../../dev/stripe-stand-in/contract/answer-check';

afterAll(() => {
  const violations = takeContractViolations();
  if (violations.length > 0) {
    throw new Error(
      `The Stripe stand-in broke the contract of the pinned stripe SDK's declarations ${violations.length} time(s):\n${violations.join('\n')}`,
    );
  }
});
