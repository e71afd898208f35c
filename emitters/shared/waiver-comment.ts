/**
 * The comment that records a waiver at the top of a generated YAML file (Kubernetes
 * manifests, workflows). The secure-output audit accepts a finding only where a
 * declared waiver's exact line is printed.
 */
export function waiverComment(rules: readonly string[], reason: string): string {
  return `# paved waiver: ${rules.join(', ')}: ${reason}\n`;
}
