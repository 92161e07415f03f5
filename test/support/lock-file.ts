/**
 * What npm ci needs of package-lock.json (lockfileVersion 3, https://docs.npmjs.com/cli/configuring-npm/package-lock-json):
 * every package's optional dependencies have an entry, on every platform, even those this machine would not
 * install. A lock written on one platform by an npm that skipped the others' metadata makes `npm ci` fail with
 * "Missing: <package> from lock file" everywhere.
 */
interface LockEntry {
  version?: string;
  hasInstallScript?: boolean;
  optionalDependencies?: Record<string, string>;
}

export interface PackageLock {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

/** `node_modules/a -> @scope/b` for each optional dependency that Node's resolution would not find in the lock. */
export function missingOptionalPackages(lock: PackageLock): string[] {
  const packages = lock.packages ?? {};
  const missing: string[] = [];
  for (const [location, entry] of Object.entries(packages)) {
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
      if (!resolvesInLock(packages, location, dependency))
        missing.push(`${location || '(root)'} -> ${dependency}`);
    }
  }
  return missing;
}

/** Node's lookup, on lock paths: `<here>/node_modules/<name>`, then each enclosing node_modules up to the root. */
function resolvesInLock(packages: Record<string, LockEntry>, location: string, name: string): boolean {
  let base = location;
  for (;;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${name}`]?.version) return true;
    if (!base) return false;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/**
 * Locked packages with an install script that package.json's `allowScripts` neither approves nor denies: npm
 * (11.x) skips those scripts and warns at every install, so each one must be a decision on record.
 */
export function undecidedInstallScripts(lock: PackageLock, allowScripts: Record<string, boolean>): string[] {
  const decided = new Set(Object.keys(allowScripts).map((key) => key.replace(/(.)@[^@]*$/, '$1')));
  const undecided = new Set<string>();
  for (const [location, entry] of Object.entries(lock.packages ?? {})) {
    const name = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (location && entry.hasInstallScript && !decided.has(name)) undecided.add(name);
  }
  return [...undecided];
}
