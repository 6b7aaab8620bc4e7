import { describe } from 'vitest';
import { goldenSuite } from './codebleu-golden.shared.js';

// Every pair and corpus subset of ../shared/golden against oracle key `cxg_modern` (CodeXGLUE semantics on
// tree-sitter-python 0.23.6), to 1e-9.
describe('CodeBLEU golden: codexglue', () => goldenSuite('codexglue'));
