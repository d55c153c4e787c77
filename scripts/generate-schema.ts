// Writes rules/schema.json and lambdafit.schema.json from the zod schemas. Run with
// `npx tsx scripts/generate-schema.ts` after changing src/core/rules/schema.ts or
// src/core/config/config-schema.ts; test/core/rules/schema-files.test.ts fails until you do.
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { packageRoot } from '../src/core/package-root.js';
import { schemaFiles } from '../src/core/rules/schema-files.js';

for (const file of schemaFiles()) {
  const target = join(packageRoot(), file.path);
  // Temp file in the same folder + rename, so an editor never reads half a schema.
  const temp = join(dirname(target), `.${process.pid}.schema.tmp`);
  await writeFile(temp, file.text);
  await rename(temp, target);
  process.stdout.write(`wrote ${file.path}\n`);
}
