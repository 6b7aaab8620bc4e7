/** `apieval trainers doctor`: what the training stages would run on. */
import { findPython, pythonPackageDir } from './stage-runner.js';

export function doctorCommand(opts: { json?: boolean }): void {
  const { python, doctor: d } = findPython();
  if (opts.json) {
    process.stdout.write(JSON.stringify({ python_command: python, package: pythonPackageDir(), ...d }, null, 2) + '\n');
    return;
  }
  const yes = (b: boolean | undefined) => (b ? 'yes' : 'no');
  const lines = [
    `python        ${python} (${d.executable}, Python ${d.python})`,
    `torch         ${d.torch}`,
    `devices       ${d.cuda ? d.devices!.map((n, i) => `cuda:${i} ${n}`).join(', ') : 'CPU only'}`,
    `bf16          ${yes(d.bf16)}`,
    `threads       ${d.threads} torch threads, ${d.pid_cpus} CPU cores available`,
    `distributed   ${d.distributed ? `gloo ${yes(d.gloo)}, nccl ${yes(d.nccl)}` : 'no'}`,
    `compile       ${yes(d.compile)}; scaled_dot_product_attention ${yes(d.sdpa)}`,
    `regex         ${yes(d.regex)}${d.regex ? '' : ' (install python3-regex: the GPT-2 tokenizer needs it)'}`,
    `transformers  ${d.transformers ?? 'not installed (not needed)'}`,
    `package       ${pythonPackageDir()}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
