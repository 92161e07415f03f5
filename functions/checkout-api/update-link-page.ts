/** The page a customer sees when an update link cannot be used: plain words, nothing from the request. */
const MESSAGES = {
  used: ['This link has already been used', 'Your payment method was updated with it. Nothing more to do.'],
  expired: ['This link has expired', 'Ask for a new link, or update your payment method from your account.'],
  revoked: [
    'This link is no longer valid',
    'Ask for a new link, or update your payment method from your account.',
  ],
  not_found: ['This link is not valid', 'Check that the whole link was copied, or ask for a new one.'],
} as const;

export function renderLinkPage(kind: keyof typeof MESSAGES): string {
  const [title, text] = MESSAGES[kind];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}</style>
</head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}
