import { describe } from 'vitest';
import { goldenSuite } from './codebleu-golden.shared.js';

// Every pair (5 components, errors as errors, the degenerate-dataflow flag) and every corpus subset of
// ../shared/golden against oracle key `k4black`, to 1e-9.
describe('CodeBLEU golden: k4black', () => goldenSuite('k4black'));
