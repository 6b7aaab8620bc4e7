/**
 * sandbox/hub/surface.py, which derives the hub profile's surfaces from the libraries' tagged sources, on a small
 * package written in their shapes (fixtures/hub-surface/toylib: a lazy `_import_structure` with a backend branch,
 * `__all__`, classes with classmethods, properties and every kind of parameter). The expected surface is written
 * out by hand from the fixture.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO } from './helpers/cli.js';

const PYTHON = process.env.APIEVAL_PYTHON ?? '/usr/bin/python3';

describe('hub surface extractor', () => {
  it('reads names, classes and signatures as data', () => {
    const r = spawnSync(PYTHON, [resolve(REPO, 'sandbox/hub/surface.py'), '--library', 'toylib', '--version', '1.0', '--repository', 'example/toylib', '--commit', 'c0ffee', '--root', resolve(REPO, 'fixtures/hub-surface/toylib')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.source).toEqual({ repository: 'example/toylib', commit: 'c0ffee', tag: 'v1.0', derived_by: 'sandbox/hub/surface.py' });
    // Every branch's names (the else branch's too), the comprehension over the dummy module left out, then what
    // the module itself imports at its top (a real attribute of the package too).
    expect(s.modules.toylib).toEqual(['ToyConfig', 'ToyTextConfig', 'SubThing', 'ToyModel', 'ToyPreTrainedModel', 'OptionalDependencyNotAvailable', 'is_torch_available']);
    expect(s.modules['toylib.utils']).toEqual(['is_torch_available', 'OptionalDependencyNotAvailable']); // __all__
    expect(s.modules['toylib.modeling']).toEqual(['ToyConfig', 'VERSION', 'ToyPreTrainedModel', 'ToyModel', 'load_toy']);
    expect(s.modules['toylib.sub']).toEqual(['SubThing']);
    const base = s.classes['toylib.modeling.ToyPreTrainedModel'];
    expect(base.bases).toEqual([]);
    expect(base.attributes).toEqual(['config_class']);
    expect(Object.keys(base.methods)).toEqual(['__init__', 'from_pretrained', 'device']); // _hidden is private
    expect(base.methods.from_pretrained).toEqual({
      kind: 'classmethod',
      params: [
        { name: 'cls', kind: 'positional_or_keyword', default: false },
        { name: 'pretrained_model_name_or_path', kind: 'positional_or_keyword', default: false },
        { name: 'model_args', kind: 'var_positional' },
        { name: 'config', kind: 'keyword_only', default: true },
        { name: 'kwargs', kind: 'var_keyword' },
      ],
    });
    expect(base.methods.device.kind).toBe('property');
    expect(s.classes['toylib.modeling.ToyModel'].bases).toEqual(['ToyPreTrainedModel']);
    expect(s.classes['toylib.modeling.ToyModel'].methods.forward.params).toEqual([
      { name: 'self', kind: 'positional_only', default: false },
      { name: 'input_ids', kind: 'positional_only', default: false },
      { name: 'attention_mask', kind: 'positional_only', default: true },
      { name: 'return_dict', kind: 'keyword_only', default: true },
    ]);
    expect(s.functions['toylib.modeling.load_toy']).toEqual([
      { name: 'path', kind: 'positional_or_keyword', default: false },
      { name: 'strict', kind: 'positional_or_keyword', default: true },
    ]);
  });
});
