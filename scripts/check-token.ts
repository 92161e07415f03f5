import { readCallerAuthConfig } from '../functions/shared/config';
import { parseArgs, runCli, UsageError } from './lib/cli';
import { checkToken, formatReport } from './lib/token-check';

const USAGE = `npm run check-token -- <jwt> [--issuer <url>] [--audience <aud>[,<aud>…]] [--claim <name or path>]

Says whether the service would accept a token from your identity provider and, if not, which rule fails
and why: the signing algorithm, iss, aud, exp (and nbf, iat), the key (fetched from the issuer's OIDC
discovery document) and the customer claim. Exit code 0 when nothing fails, 1 otherwise.

  --issuer     the JWT_ISSUER the service is deployed with (default: $JWT_ISSUER)
  --audience   the JWT_AUDIENCE, comma-separated (default: $JWT_AUDIENCE)
  --claim      the customer claim, a name or a dot path (default: $JWT_CUSTOMER_CLAIM or stripe_customer_id)
  --help       this text
`;

runCli(async () => {
  const argv = process.argv.slice(2);
  const tokens = argv.filter((arg) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(arg));
  const args = parseArgs(
    argv.filter((arg) => !tokens.includes(arg)),
    ['--issuer', '--audience', '--claim'],
  );
  if (args.flags.has('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (tokens.length !== 1) throw new UsageError('give exactly one token (header.payload.signature)');
  const issuer = args.values.get('--issuer') ?? process.env.JWT_ISSUER?.trim();
  const audience = args.values.get('--audience') ?? process.env.JWT_AUDIENCE?.trim();
  const claim = args.values.get('--claim') ?? process.env.JWT_CUSTOMER_CLAIM?.trim();
  // The service's own config reader validates the settings, so a bad one is named as the service would name it.
  const config = readCallerAuthConfig({
    AUTH_MODE: 'jwt',
    JWT_ISSUER: issuer || 'https://issuer.not.set',
    JWT_AUDIENCE: audience || 'audience-not-set',
    ...(claim ? { JWT_CUSTOMER_CLAIM: claim } : {}),
  });
  if (config.mode !== 'jwt') throw new UsageError('unreachable: AUTH_MODE is jwt');
  const lines = await checkToken(tokens[0] as string, {
    ...(issuer ? { issuer: config.issuer } : {}),
    audiences: audience ? config.audiences : [],
    customerClaim: config.customerClaim,
  });
  process.stdout.write(formatReport(lines));
  return lines.some((line) => line.result === 'FAIL') ? 1 : 0;
}, USAGE);
