/**
 * Every place the stack knowingly does not meet a rule of security-rules.md §1.
 * Each waiver is printed as a comment above the resource it concerns, and the
 * security tests accept a finding only where its waiver is attached.
 */
export interface Waiver {
  /** The checkov and trivy ids, as in security-rules.md. */
  readonly rule: string;
  readonly reason: string;
}

export const WAIVERS = {
  secretRotation: {
    rule: 'CKV2_AWS_57',
    reason: 'no rotation: the value is set out of band (by the owning team or its provider), so no rotation Lambda can produce a new one.',
  },
  connectionSecretRotation: {
    rule: 'CKV2_AWS_57',
    reason: 'no rotation: the secret holds connection details, not a credential; Terraform rewrites it whenever they change.',
  },
  policyDrivenDatabase: {
    rule: 'CKV_AWS_293 / AVD-AWS-0177, CKV_AWS_157',
    reason: "deletion protection and Multi-AZ follow platform.yaml policy.<environment> (var.deletion_protection, var.multi_az); they hold wherever the platform's policy turns them on, production by default.",
  },
  unversionedBucket: {
    rule: 'CKV_AWS_21 / AVD-AWS-0090',
    reason: 'no versioning: the service asked for versioned: false in its service.yaml.',
  },
} as const satisfies Readonly<Record<string, Waiver>>;

export function waiverComments(waiver: Waiver): string[] {
  return [`Waiver ${waiver.rule}: ${waiver.reason}`];
}
