import type { Command } from 'commander';

// Placeholder registration; the owning issue replaces it with the real command.
export function register(program: Command): void {
  void program;
}
