/**
 * Just enough Kubernetes quantity arithmetic for the limit policy: the schema
 * admits CPU as cores or millicores and memory in Ki, Mi or Gi, so values are
 * exact integers in millicores and KiB, and results print in the largest unit
 * that keeps them whole. Scaling rounds up: a limit never falls below its ratio.
 */

export function scaleCpu(cpu: string, ratio: number): string {
  const millicores = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Math.round(Number(cpu) * 1000);
  const scaled = Math.max(1, Math.ceil(millicores * ratio));
  return scaled % 1000 === 0 ? String(scaled / 1000) : `${scaled}m`;
}

const KIB = { Ki: 1, Mi: 1024, Gi: 1024 * 1024 } as const;

export function scaleMemory(memory: string, ratio: number): string {
  const unit = memory.slice(-2) as keyof typeof KIB;
  const kib = Number(memory.slice(0, -2)) * KIB[unit];
  const scaled = Math.max(1, Math.ceil(kib * ratio));
  if (scaled % KIB.Gi === 0) return `${scaled / KIB.Gi}Gi`;
  if (scaled % KIB.Mi === 0) return `${scaled / KIB.Mi}Mi`;
  return `${scaled}Ki`;
}
