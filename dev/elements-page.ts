/** What the demo pages share to run packages/elements: the bundle's path, the setup script, the styles. */

/** Served by the local stack at this path: packages/elements and the client, bundled (dev/elements-bundle.ts). */
export const ELEMENTS_SCRIPT_PATH = '/assets/elements.js';

/**
 * The module script that gives the elements their client: the API is this page's origin, the token the
 * server rendered into the page for its signed-in user (kept nowhere else: no storage a later page or
 * another script on the origin could read it from).
 */
export function elementsSetup(extra = ''): string {
  return `<script type="module">
  import { configureElements, createClient, defineElements } from '${ELEMENTS_SCRIPT_PATH}';
  const { token, customer } = document.body.dataset;
  configureElements({
    client: createClient({
      baseUrl: location.origin,
      getToken: () => token || undefined,
      ...(token || !customer ? {} : { customer }),
    }),
  });
  // Defined before the page sets properties on them: set on a not-yet-upgraded element, a property would be
  // overwritten by the class's own field when it upgrades.
  defineElements();
  ${extra}
</script>`;
}

export const ELEMENTS_STYLE = `<style>
  .spm-list { list-style: none; margin: 0; padding: 0; }
  .method { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 10px; padding: 12px 0; border-top: 1px solid #eef1f5; }
  .method:first-child { border-top: 0; }
  .method .label { font-weight: 600; }
  .method .detail { color: #6b7385; font-size: 13px; flex: 1; min-width: 7em; }
  .spm-badges { display: flex; flex-wrap: wrap; gap: 6px; }
  .spm-actions { display: flex; gap: 8px; margin-left: auto; }
  .spm-question { flex-basis: 100%; display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 10px; background: #f6f9fc; border-radius: 6px; }
  .spm-question label { flex-basis: 100%; font-size: 14px; }
  .spm-question select { font-size: 15px; padding: 6px; max-width: 100%; }
  .badge { font-size: 12px; border-radius: 10px; padding: 2px 8px; background: #e3f8ec; color: #0e6245; font-weight: 600; }
  .badge.subscription { background: #e8ecff; color: #3d3aa8; }
  button.secondary { background: #fff; color: #4b44d6; border: 1px solid #c5cbd3; padding: 8px 12px; font-size: 14px; }
  button.secondary:hover { background: #f6f9fc; }
  button:focus-visible, select:focus-visible, [tabindex="-1"]:focus-visible { outline: 3px solid #8a84ff; outline-offset: 2px; }
  button:disabled { opacity: .5; cursor: default; }
  .spm-status:empty, .ucb-status:empty { display: none; }
  .ok { color: #0e8a4f; font-weight: 600; }
  .bad { color: #c0123c; font-weight: 600; }
  update-card-button { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  @media (max-width: 480px) { .card.row { flex-direction: column; align-items: stretch; } main { padding: 0 10px; } .card { padding: 16px; } }
</style>`;
