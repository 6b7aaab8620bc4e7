// Shared set-up for the sandbox suites (not a test file). They run against the REAL Docker engine and
// the built base image. Without an engine they FAIL with a clear message; set APIEVAL_SKIP_DOCKER=1
// explicitly to skip them on a machine without Docker (CI never sets it).
import { ensureEngine, imageExists } from '../sandbox/engine.js';
import { imageTag, loadRecipe } from '../sandbox/recipe.js';

export const SKIP_DOCKER = process.env.APIEVAL_SKIP_DOCKER === '1';

export async function requireSandbox(profile: 'base' | 'ml' | 'hub' = 'base'): Promise<string> {
  try {
    await ensureEngine();
  } catch (e) {
    throw new Error(`sandbox tests need a Docker engine: ${(e as Error).message}. Set APIEVAL_SKIP_DOCKER=1 to skip them deliberately.`);
  }
  const tag = imageTag(loadRecipe(profile));
  if (!(await imageExists(tag))) {
    throw new Error(`sandbox tests need the image ${tag}: run \`node bin/apieval.js sandbox build --profile ${profile}\` first`);
  }
  return tag;
}
