import { type Bundles, FUNCTION_NAMES, type FunctionName, fileSize } from '../support/bundles';
import { kilobytes, type Section, times } from '../support/report';
import type { InitProbe } from './cold-init';

const TARGET: Record<FunctionName, number> = {
  'stripe-webhook': 0.2,
  'setup-worker': 0.3,
  'checkout-api': 0.3,
};

/** Packages whose files the deployed bundle loaded at init, largest first (`@smithy/core 451 KB`, …). */
function loadedPackages(modules: string[]): string {
  const sizes = new Map<string, number>();
  for (const file of modules) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file;
    sizes.set(name, (sizes.get(name) ?? 0) + fileSize(file));
  }
  return [...sizes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => `${name} ${kilobytes(bytes)}`)
    .join(', ');
}

/**
 * The file the stack deploys (the AWS SDK bundled in, as the stack builds it) against the naive bundle, plus
 * anything else it still loads from node_modules at init (nothing, when the build is self-contained).
 */
export function bundleSizeSection(bundles: Bundles, atInit: Record<FunctionName, InitProbe>): Section {
  const rows = FUNCTION_NAMES.map((name) => {
    const naive = fileSize(bundles[name].naive);
    const deployed = fileSize(bundles[name].deployed);
    const loaded = atInit[name].loadedBytes;
    const ratio = (deployed + loaded) / naive;
    return {
      figure: `${name}: deployed bundle${loaded > 0 ? ' + modules loaded at init' : ''} vs naive`,
      value: `${kilobytes(deployed)}${loaded > 0 ? ` + ${kilobytes(loaded)}` : ''} vs ${kilobytes(naive)} = ${times(ratio)}`,
      target: `≤ ${TARGET[name]}×`,
      pass: ratio <= TARGET[name],
      data: {
        deployedBytes: deployed,
        naiveBytes: naive,
        loadedAtInitBytes: loaded,
        loadedPackages: loadedPackages(atInit[name].loadedModules),
        ratio,
      },
    };
  });
  const notes = FUNCTION_NAMES.map(
    (name) =>
      `${name} loads at init from node_modules: ${loadedPackages(atInit[name].loadedModules) || 'nothing (self-contained)'}.`,
  );
  return {
    title: '1. Bundle size (naive: esbuild --bundle --platform=node, Stripe SDK + default AWS SDK clients)',
    rows,
    notes,
  };
}
