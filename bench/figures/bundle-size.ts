import { type Bundles, FUNCTION_NAMES, type FunctionName, fileSize } from '../support/bundles';
import { kilobytes, type Section, times } from '../support/report';
import type { ColdInit } from './cold-init';

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
 * Three honest views of each function against the naive bundle: the file the stack deploys; that file plus
 * the @aws-sdk/* it loads from the Lambda runtime at init (what the issue counts when the SDK is left
 * external); and the same build with the SDK bundled in and minified.
 */
export function bundleSizeSection(bundles: Bundles, coldInit: Record<FunctionName, ColdInit>): Section {
  const rows = FUNCTION_NAMES.flatMap((name) => {
    const naive = fileSize(bundles[name].naive);
    const deployed = fileSize(bundles[name].deployed);
    const loaded = coldInit[name].deployed.probe.loadedBytes;
    const selfContained = fileSize(bundles[name].selfContained);
    const target = `≤ ${TARGET[name]}×`;
    const ratio = (bytes: number) => bytes / naive;
    return [
      {
        figure: `${name}: deployed file (SDK external) vs naive`,
        value: `${kilobytes(deployed)} vs ${kilobytes(naive)} = ${times(ratio(deployed))}`,
        target: '',
        data: { deployedBytes: deployed, naiveBytes: naive },
      },
      {
        figure: `${name}: deployed file + @aws-sdk loaded at init`,
        value: `${kilobytes(deployed)} + ${kilobytes(loaded)} = ${times(ratio(deployed + loaded))}`,
        target,
        pass: ratio(deployed + loaded) <= TARGET[name],
        data: {
          loadedAtInitBytes: loaded,
          loadedPackages: loadedPackages(coldInit[name].deployed.probe.loadedModules),
          ratio: ratio(deployed + loaded),
        },
      },
      {
        figure: `${name}: stack settings with the SDK bundled in`,
        value: `${kilobytes(selfContained)} = ${times(ratio(selfContained))}`,
        target,
        pass: ratio(selfContained) <= TARGET[name],
        data: { selfContainedBytes: selfContained, ratio: ratio(selfContained) },
      },
    ];
  });
  const notes = FUNCTION_NAMES.map(
    (name) =>
      `${name} loads at init from @aws-sdk/* (Lambda runtime): ${loadedPackages(coldInit[name].deployed.probe.loadedModules) || 'nothing'}.`,
  );
  return {
    title: '1. Bundle size (naive: esbuild --bundle --platform=node, Stripe SDK + default AWS SDK clients)',
    rows,
    notes,
  };
}
