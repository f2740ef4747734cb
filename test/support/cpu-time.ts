/**
 * Milliseconds of CPU this process spent running `fn` (user + system).
 * Bounds on work ("refusal does not scale with the attack") are asserted on
 * CPU time, not wall time, so a busy machine cannot make them fail while an
 * exponential blow-up still would.
 */
export function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}
