import { chromiumAvailable, chromiumMissingReason, useStackInBrowser } from './browser';

/*
 * `/api-reference` in Chromium: Swagger UI (swagger-ui-dist) loads from the local stack alone — every other
 * request is refused — and renders each operation of docs/openapi.json, with the operation ids shown
 * (`displayOperationId`) and one deep link per operation (`deepLinking`: #/<tag>/<operationId>).
 */
if (!chromiumAvailable) {
  it.skip(chromiumMissingReason, () => undefined);
} else {
  describe('the API reference page, offline', () => {
    const running = useStackInBrowser();

    it('renders every operation of the document from same-origin files only', async () => {
      const page = await running.browser.newPage();
      const foreign: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(running.stack.url) || url.startsWith('data:')) return route.continue();
        foreign.push(url);
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      try {
        await page.goto(`${running.stack.url}/api-reference`);
        await page.waitForSelector('.opblock', { timeout: 15_000 });
        const document = (await (await fetch(`${running.stack.url}/openapi.json`)).json()) as {
          paths: Record<string, Record<string, { operationId: string }>>;
        };
        const operationIds = Object.values(document.paths).flatMap((item) =>
          Object.values(item).map((operation) => operation.operationId),
        );
        const shown = await page.locator('.opblock-summary-operation-id').allTextContents();
        expect(shown.sort()).toEqual([...operationIds].sort());
        expect(foreign).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 60_000);
  });
}
