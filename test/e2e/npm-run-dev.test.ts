import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { FUNCTION_NAMES } from '../../lib/service-function';
import { send } from '../support/http';

const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** Resolves with the first stdout match of `pattern`, or rejects when the process exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}:\n${output}`));
    });
  });
}

function groupIsGone(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return false;
  } catch {
    return true;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('npm run dev, as a user runs it', () => {
  it('starts, serves one full setup over HTTP, and stops cleanly on Ctrl-C', async () => {
    const child = spawn('npm', ['run', 'dev'], {
      cwd: PROJECT_ROOT,
      // Its own process group, as a terminal gives it; Ctrl-C signals the whole group.
      detached: true,
      env: {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        STRIPE_SECRET_KEY: '',
        STRIPE_WEBHOOK_SECRET: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [, baseUrl] = await waitForOutput(child, /demo\s+(http:\/\/127\.0\.0\.1:\d+)\//, 60_000);
      const port = Number(new URL(baseUrl as string).port);

      const demo = await send(`${baseUrl}/`);
      expect(demo.status).toBe(200);
      const customer = demo.text.match(/name="customer" value="(cus_\w+)"/)?.[1];
      const subscription = demo.text.match(/name="subscription" value="(sub_\w+)"/)?.[1];
      // Auth is on: the page carries a form token the API minted for the signed-in customer, good for the
      // form route only; the status reads take the customer's own token (here from the dev token route).
      const token = demo.text.match(/name="token" value="([\w.-]+)"/)?.[1] ?? '';
      expect(customer).toBeDefined();
      expect(token).not.toBe('');
      const signedIn = await send(`${baseUrl}/_dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customer }),
      });
      const authorized = { headers: { authorization: `Bearer ${signedIn.json.token}` } };

      const created = await send(`${baseUrl}/create-checkout-session`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          customer: customer ?? '',
          subscription: subscription ?? '',
          token,
        }).toString(),
      });
      expect(created.status).toBe(303);
      const checkoutUrl = created.headers.get('location') ?? '';
      const sessionId = checkoutUrl.match(/cs_test_\w+/)?.[0];

      const paid = await send(checkoutUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          card_number: '4242424242424242',
          expiry: '12/34',
          cvc: '123',
          name: 'A',
        }).toString(),
      });
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe(`${baseUrl}/success?session_id=${sessionId}`);

      expect((await send(`${baseUrl}/checkout-sessions/${sessionId}`)).status).toBe(401);
      // The page's form token opens nothing but the form route.
      const withFormToken = { headers: { authorization: `Bearer ${token}` } };
      expect((await send(`${baseUrl}/checkout-sessions/${sessionId}`, withFormToken)).status).toBe(401);
      let status = await send(`${baseUrl}/checkout-sessions/${sessionId}`, authorized);
      for (let attempt = 0; attempt < 100 && !status.json?.defaultsApplied; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await send(`${baseUrl}/checkout-sessions/${sessionId}`, authorized);
      }
      expect(status.json).toMatchObject({
        defaultsApplied: true,
        appliedTo: { customer, subscription: subscription ?? null },
      });

      // `npm run dev` delays webhooks by 0.2–2 s (dev/local-stack.ts), so the status poll usually enqueues
      // first and the webhook's invocation logs afterwards: wait for it before reading the lines.
      for (let waited = 0; waited < 10_000 && !output.includes('"service":"stripe-webhook"'); waited += 100)
        await new Promise((resolve) => setTimeout(resolve, 100));

      // The handlers' log lines: each invocation's share its request id and X-Ray trace id, as in Lambda.
      const lines = output
        .split('\n')
        .filter((line) => line.startsWith('{') && line.includes('"function_request_id"'))
        .map((line) => JSON.parse(line));
      // The session API logs too when the status poll wins the race with the (delayed) webhook and enqueues.
      const services = new Set(lines.map((line) => line.service));
      expect([...services].every((service) => FUNCTION_NAMES.includes(service))).toBe(true);
      expect(services.has('stripe-webhook') && services.has('setup-worker')).toBe(true);
      const traces = new Map<string, Set<string>>();
      for (const line of lines) {
        traces.set(
          line.function_request_id,
          (traces.get(line.function_request_id) ?? new Set()).add(line.xray_trace_id),
        );
      }
      for (const trace of traces.values())
        expect([...trace]).toEqual([expect.stringMatching(/^1-[0-9a-f]{8}-/)]);

      // The API's description, beside the demo: the committed OpenAPI document and a readable page of it.
      const openApi = await send(`${baseUrl}/openapi.json`);
      expect(openApi.json).toEqual(
        JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'docs', 'openapi.json'), 'utf8')),
      );
      // Swagger UI from node_modules renders it: offline, every file same-origin, no inline script.
      const reference = await send(`${baseUrl}/api-reference`);
      expect(reference.headers.get('content-type')).toMatch(/^text\/html/);
      expect(reference.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
      const linked = [...reference.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
      expect(linked.every((url) => url.startsWith('/'))).toBe(true);
      expect(reference.text).not.toMatch(/<script>/);
      for (const url of linked.filter((url) => url !== '/openapi.json')) {
        const asset = await fetch(`${baseUrl}${url}`);
        expect(asset.status).toBe(200);
      }
      expect(await (await fetch(`${baseUrl}/api-reference/init.js`)).text()).toContain(
        "url: '/openapi.json'",
      );

      const stoppedAt = Date.now();
      process.kill(-(child.pid as number), 'SIGINT');
      await exited;
      expect(Date.now() - stoppedAt).toBeLessThan(5000);
      for (let attempt = 0; attempt < 20 && !groupIsGone(child.pid as number); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(groupIsGone(child.pid as number)).toBe(true);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      if (!groupIsGone(child.pid as number)) process.kill(-(child.pid as number), 'SIGKILL');
    }
  }, 90_000);
});
