import { execFileSync } from 'node:child_process';

// CLI tests spawn the built dist/cli.js; build it once so they test the current sources.
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
